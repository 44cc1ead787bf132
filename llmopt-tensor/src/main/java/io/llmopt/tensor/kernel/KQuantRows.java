package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.B16;
import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.LE;
import static io.llmopt.tensor.kernel.Simd.PARTS;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Row kernels for the k-quant super-blocks (256 values) Q2_K, Q3_K, Q4_K, Q5_K and Q6_K; layouts are
 * documented in the reference codecs of {@code io.llmopt.tensor.quant}. Every 16 packed bytes become the
 * 16 quants of one sub-block piece as a signed byte vector q, are widened to floats and scaled as
 * value = scale·q − min in one fused multiply-add (the reference rounds the product and the difference
 * separately: results agree to about one ulp). {@code decode} stores values, {@code dot} multiplies them
 * into x at once.
 *
 * <p>The loops are written out flat, without vector-valued helper methods: C2 must inline every Vector API
 * call of a kernel to keep its vectors in registers, and helper layers spend its inlining depth and budget
 * (a Q6_K kernel built from helpers allocated 4 MB per 256-row GEMV).
 * Packed bytes are shifted as 16-bit lanes and masked afterwards: x86 has no byte shift, and a byte-lane
 * shift compiles to widen, shift and narrow (three times the instructions, two on the shuffle port).
 *
 * <p>Notation: o = byte offset of the first super-block, nb = number of super-blocks, p/xo = float offset of
 * the super-block's first value, g = pair of 32-value sub-blocks, h = half (128 values), k = quarter (32
 * values) of a half, j = which 16 of 32, e = float offset of the 16 values at hand, L = float lanes.
 */
final class KQuantRows {
    private static final int QK = 256;
    private static final int Q2_K = GgmlType.Q2_K.blockBytes();
    private static final int Q3_K = GgmlType.Q3_K.blockBytes();
    private static final int Q4_K = GgmlType.Q4_K.blockBytes();
    private static final int Q5_K = GgmlType.Q5_K.blockBytes();
    private static final int Q6_K = GgmlType.Q6_K.blockBytes();

    private KQuantRows() {
    }

    /**
     * Q4_K/Q5_K: 6-bit scale of 32-value sub-block {@code s} (0..7) from the 12 packed bytes, read as lo8
     * (bytes 0..7) and hi4 (bytes 8..11): bytes 0..3 hold scale bits 0..5 of sub-blocks 0..3 (bits 6..7: high
     * bits of scales 4..7), bytes 4..7 the same for minimums, bytes 8..11 low nibble = scale 4..7 bits 0..3,
     * high nibble = minimum bits 0..3.
     */
    private static int scale6(long lo8, int hi4, int s) {
        return s < 4 ? (int) (lo8 >>> (8 * s)) & 63
                : (hi4 >>> (8 * (s - 4))) & 0x0F | ((int) (lo8 >>> (8 * (s - 4) + 6)) & 3) << 4;
    }

    /** Q4_K/Q5_K: 6-bit minimum of sub-block {@code s}, see {@link #scale6}. */
    private static int min6(long lo8, int hi4, int s) {
        return s < 4 ? (int) (lo8 >>> (8 * s + 32)) & 63
                : (hi4 >>> (8 * (s - 4) + 4)) & 0x0F | ((int) (lo8 >>> (8 * s + 6)) & 3) << 4;
    }

    /** Q3_K: 6-bit scale (0..63, offset 32) of 16-value sub-block {@code k} (0..15) from the 12 bytes at sc. */
    private static int scaleQ3(MemorySegment w, long sc, int k) {
        int low = k < 8 ? Simd.u8(w, sc + k) & 0x0F : Simd.u8(w, sc + k - 8) >>> 4;
        return low | ((Simd.u8(w, sc + 8 + k % 4) >>> (2 * (k / 4))) & 3) << 4;
    }

    // ---- Q4_K: [d, dmin, 12 scale bytes, 128 qs]; value = d·sc·q − dmin·m; sub-block 2g = low nibbles of
    // qs[32g .. 32g+32), 2g+1 = their high nibbles

    static void decodeQ4_K(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q4_K, p += QK) {
            float d = Simd.f16(w, o);
            float dmin = Simd.f16(w, o + 2);
            long lo8 = w.get(Layouts.LONG, o + 4);
            int hi4 = w.get(Layouts.INT, o + 12);
            for (int s = 0; s < 8; s++) {
                FloatVector scale = FloatVector.broadcast(F, d * scale6(lo8, hi4, s));
                FloatVector min = FloatVector.broadcast(F, -dmin * min6(lo8, hi4, s));
                for (int j = 0; j < 2; j++) {
                    ByteVector q = ByteVector.fromMemorySegment(B16, w, o + 16 + 32 * (s / 2) + 16 * j, LE);
                    q = (s & 1) == 0 ? q.and((byte) 0x0F) : q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                    for (int k = 0; k < PARTS; k++) {
                        ((FloatVector) q.convertShape(VectorOperators.B2F, F, k)).fma(scale, min).intoArray(dst, p + 32 * s + 16 * j + k * L);
                    }
                }
            }
        }
    }

    static float dotQ4_K(MemorySegment w, long o, int nb, float[] x, int xo, float[] sc) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++, o += Q4_K, xo += QK) {
            float d = Simd.f16(w, o);
            float dmin = Simd.f16(w, o + 2);
            long lo8 = w.get(Layouts.LONG, o + 4);
            int hi4 = w.get(Layouts.INT, o + 12);
            for (int s = 0; s < 8; s++) { // d·scale and −dmin·min, read back as memory broadcasts
                sc[s] = d * scale6(lo8, hi4, s);
                sc[8 + s] = -dmin * min6(lo8, hi4, s);
            }
            for (int g = 0; g < 4; g++) {
                FloatVector s0 = FloatVector.broadcast(F, sc[2 * g]);
                FloatVector m0 = FloatVector.broadcast(F, sc[8 + 2 * g]);
                FloatVector s1 = FloatVector.broadcast(F, sc[2 * g + 1]);
                FloatVector m1 = FloatVector.broadcast(F, sc[9 + 2 * g]);
                for (int j = 0; j < 2; j++) {
                    ByteVector q = ByteVector.fromMemorySegment(B16, w, o + 16 + 32 * g + 16 * j, LE);
                    ByteVector lo = q.and((byte) 0x0F);
                    ByteVector hi = q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                    int e = xo + 64 * g + 16 * j;
                    for (int k = 0; k < PARTS; k++) {
                        acc0 = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, k)).fma(s0, m0)
                                .fma(FloatVector.fromArray(F, x, e + k * L), acc0);
                        acc1 = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, k)).fma(s1, m1)
                                .fma(FloatVector.fromArray(F, x, e + 32 + k * L), acc1);
                    }
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    // ---- Q5_K: [d, dmin, 12 scale bytes, 32 qh, 128 qs]; q = nibble | (bit s of qh[l]) << 4

    static void decodeQ5_K(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q5_K, p += QK) {
            float d = Simd.f16(w, o);
            float dmin = Simd.f16(w, o + 2);
            long lo8 = w.get(Layouts.LONG, o + 4);
            int hi4 = w.get(Layouts.INT, o + 12);
            for (int s = 0; s < 8; s++) {
                FloatVector scale = FloatVector.broadcast(F, d * scale6(lo8, hi4, s));
                FloatVector min = FloatVector.broadcast(F, -dmin * min6(lo8, hi4, s));
                for (int j = 0; j < 2; j++) {
                    ByteVector q = ByteVector.fromMemorySegment(B16, w, o + 48 + 32 * (s / 2) + 16 * j, LE);
                    ByteVector qh = ByteVector.fromMemorySegment(B16, w, o + 16 + 16 * j, LE);
                    q = (s & 1) == 0 ? q.and((byte) 0x0F) : q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                    q = q.or(qh.reinterpretAsShorts().lanewise(VectorOperators.LSHR, s).reinterpretAsBytes().and((byte) 1).reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes());
                    for (int k = 0; k < PARTS; k++) {
                        ((FloatVector) q.convertShape(VectorOperators.B2F, F, k)).fma(scale, min).intoArray(dst, p + 32 * s + 16 * j + k * L);
                    }
                }
            }
        }
    }

    static float dotQ5_K(MemorySegment w, long o, int nb, float[] x, int xo, float[] sc) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++, o += Q5_K, xo += QK) {
            float d = Simd.f16(w, o);
            float dmin = Simd.f16(w, o + 2);
            long lo8 = w.get(Layouts.LONG, o + 4);
            int hi4 = w.get(Layouts.INT, o + 12);
            for (int s = 0; s < 8; s++) { // d·scale and −dmin·min, read back as memory broadcasts
                sc[s] = d * scale6(lo8, hi4, s);
                sc[8 + s] = -dmin * min6(lo8, hi4, s);
            }
            for (int g = 0; g < 4; g++) {
                FloatVector s0 = FloatVector.broadcast(F, sc[2 * g]);
                FloatVector m0 = FloatVector.broadcast(F, sc[8 + 2 * g]);
                FloatVector s1 = FloatVector.broadcast(F, sc[2 * g + 1]);
                FloatVector m1 = FloatVector.broadcast(F, sc[9 + 2 * g]);
                for (int j = 0; j < 2; j++) {
                    ByteVector q = ByteVector.fromMemorySegment(B16, w, o + 48 + 32 * g + 16 * j, LE);
                    ByteVector qh = ByteVector.fromMemorySegment(B16, w, o + 16 + 16 * j, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2 * g).reinterpretAsBytes();
                    ByteVector lo = q.and((byte) 0x0F).or(qh.and((byte) 1).reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes());
                    ByteVector hi = q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).or(qh.and((byte) 2).reinterpretAsShorts().lanewise(VectorOperators.LSHL, 3).reinterpretAsBytes());
                    int e = xo + 64 * g + 16 * j;
                    for (int k = 0; k < PARTS; k++) {
                        acc0 = ((FloatVector) lo.convertShape(VectorOperators.B2F, F, k)).fma(s0, m0)
                                .fma(FloatVector.fromArray(F, x, e + k * L), acc0);
                        acc1 = ((FloatVector) hi.convertShape(VectorOperators.B2F, F, k)).fma(s1, m1)
                                .fma(FloatVector.fromArray(F, x, e + 32 + k * L), acc1);
                    }
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    // ---- Q6_K: [128 ql, 64 qh, 16 int8 scales, d]; value = d·scale·(q − 32). Element 128h + 32k + l takes
    // the low (k < 2) or high nibble of ql[64h + 32·(k%2) + l] and bits 2k, 2k+1 of qh[32h + l].

    static void decodeQ6_K(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q6_K, p += QK) {
            float d = Simd.f16(w, o + 208);
            for (int h = 0; h < 2; h++) {
                for (int k = 0; k < 4; k++) {
                    for (int j = 0; j < 2; j++) {
                        ByteVector ql = ByteVector.fromMemorySegment(B16, w, o + 64 * h + 32 * (k & 1) + 16 * j, LE);
                        ByteVector qh = ByteVector.fromMemorySegment(B16, w, o + 128 + 32 * h + 16 * j, LE);
                        ql = k < 2 ? ql.and((byte) 0x0F) : ql.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                        ByteVector q = ql.or(qh.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2 * k).reinterpretAsBytes().and((byte) 3).reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes()).sub((byte) 32);
                        FloatVector scale = FloatVector.broadcast(F, d * w.get(Layouts.BYTE, o + 192 + 8 * h + 2 * k + j));
                        int e = p + 128 * h + 32 * k + 16 * j;
                        for (int part = 0; part < PARTS; part++) {
                            ((FloatVector) q.convertShape(VectorOperators.B2F, F, part)).mul(scale).intoArray(dst, e + part * L);
                        }
                    }
                }
            }
        }
    }

    /** {@code sc} holds ≥ 16 floats: the super-block's scales d·scale, read back as memory broadcasts. */
    static float dotQ6_K(MemorySegment w, long o, int nb, float[] x, int xo, float[] sc) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int b = 0; b < nb; b++, o += Q6_K, xo += QK) {
            float d = Simd.f16(w, o + 208);
            ByteVector scales = ByteVector.fromMemorySegment(B16, w, o + 192, LE);
            for (int part = 0; part < PARTS; part++) {
                ((FloatVector) scales.convertShape(VectorOperators.B2F, F, part)).mul(d).intoArray(sc, part * L);
            }
            for (int h = 0; h < 2; h++) {
                for (int j = 0; j < 2; j++) {
                    ByteVector qlA = ByteVector.fromMemorySegment(B16, w, o + 64 * h + 16 * j, LE);
                    ByteVector qlB = ByteVector.fromMemorySegment(B16, w, o + 64 * h + 32 + 16 * j, LE);
                    ByteVector qh = ByteVector.fromMemorySegment(B16, w, o + 128 + 32 * h + 16 * j, LE);
                    for (int k = 0; k < 4; k++) {
                        ByteVector ql = (k & 1) == 0 ? qlA : qlB;
                        ql = k < 2 ? ql.and((byte) 0x0F) : ql.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                        // bits 2k, 2k+1 of qh moved to bits 4, 5: one 16-bit shift (left for k < 2) and a mask
                        ByteVector high = k == 2 ? qh : k < 2
                                ? qh.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4 - 2 * k).reinterpretAsBytes()
                                : qh.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2).reinterpretAsBytes();
                        ByteVector q = ql.or(high.and((byte) 0x30)).sub((byte) 32);
                        int e = xo + 128 * h + 32 * k + 16 * j;
                        FloatVector s = FloatVector.zero(F);
                        for (int part = 0; part < PARTS; part++) {
                            s = ((FloatVector) q.convertShape(VectorOperators.B2F, F, part)).fma(FloatVector.fromArray(F, x, e + part * L), s);
                        }
                        FloatVector scale = FloatVector.broadcast(F, sc[8 * h + 2 * k + j]);
                        if ((k & 1) == 0) {
                            acc0 = s.fma(scale, acc0);
                        } else {
                            acc1 = s.fma(scale, acc1);
                        }
                    }
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    // ---- Q2_K: [16 scale bytes (low nibble scale, high nibble min), 64 qs, d, dmin]; element 128h + 32k + l
    // is bits 2k, 2k+1 of qs[32h + l]; sub-block (of 16) = 8h + 2k + j

    static void decodeQ2_K(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q2_K, p += QK) {
            float d = Simd.f16(w, o + 80);
            float dmin = Simd.f16(w, o + 82);
            for (int h = 0; h < 2; h++) {
                for (int j = 0; j < 2; j++) {
                    ByteVector qs = ByteVector.fromMemorySegment(B16, w, o + 16 + 32 * h + 16 * j, LE);
                    for (int k = 0; k < 4; k++) {
                        int sc = Simd.u8(w, o + 8 * h + 2 * k + j);
                        FloatVector scale = FloatVector.broadcast(F, d * (sc & 0x0F));
                        FloatVector min = FloatVector.broadcast(F, -dmin * (sc >>> 4));
                        ByteVector q = qs.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2 * k).reinterpretAsBytes().and((byte) 3);
                        int e = p + 128 * h + 32 * k + 16 * j;
                        for (int part = 0; part < PARTS; part++) {
                            ((FloatVector) q.convertShape(VectorOperators.B2F, F, part)).fma(scale, min).intoArray(dst, e + part * L);
                        }
                    }
                }
            }
        }
    }

    // ---- Q3_K: [32 hmask, 64 qs, 12 scale bytes, d]; q = low2 − 4·(1 − hbit), value = d·(scale − 32)·q;
    // element 128h + 32k + l: low2 = bits 2k, 2k+1 of qs[32h + l], hbit = bit 4h + k of hmask[l]

    static void decodeQ3_K(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q3_K, p += QK) {
            float d = Simd.f16(w, o + 108);
            for (int j = 0; j < 2; j++) {
                ByteVector hm = ByteVector.fromMemorySegment(B16, w, o + 16 * j, LE);
                for (int h = 0; h < 2; h++) {
                    ByteVector qs = ByteVector.fromMemorySegment(B16, w, o + 32 + 32 * h + 16 * j, LE);
                    for (int k = 0; k < 4; k++) {
                        ByteVector low = qs.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2 * k).reinterpretAsBytes().and((byte) 3);
                        ByteVector noHigh = hm.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4 * h + k).reinterpretAsBytes().and((byte) 1).lanewise(VectorOperators.XOR, (byte) 1);
                        ByteVector q = low.sub(noHigh.reinterpretAsShorts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes());
                        FloatVector scale = FloatVector.broadcast(F, d * (scaleQ3(w, o + 96, 8 * h + 2 * k + j) - 32));
                        int e = p + 128 * h + 32 * k + 16 * j;
                        for (int part = 0; part < PARTS; part++) {
                            ((FloatVector) q.convertShape(VectorOperators.B2F, F, part)).mul(scale).intoArray(dst, e + part * L);
                        }
                    }
                }
            }
        }
    }
}
