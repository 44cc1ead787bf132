package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.PARTS;
import static io.llmopt.tensor.kernel.Simd.f16;
import static io.llmopt.tensor.kernel.Simd.toFloats;
import static io.llmopt.tensor.kernel.Simd.u8;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

    /**
 * Row kernels for the k-quant super-blocks (256 values) Q2_K, Q3_K, Q4_K, Q5_K and Q6_K; layouts are
 * documented in the reference codecs of {@code io.llmopt.tensor.quant}. Every 16 packed bytes become 16
 * quants of one sub-block (or of two, for the 4-bit nibbles), are widened to floats and scaled as
 * value = scale·q − min in one fused multiply-add (the reference rounds the product and the difference
 * separately: results agree to about one ulp). {@code decode} stores values, {@code dot} (Q4_K and Q6_K, the
 * types of the usual "_M" mixes) multiplies them into x at once.
 *
 * <p>Notation: o = byte offset of the first super-block, nb = number of super-blocks, p/xo = float offsets of
 * the super-block's first value, sc = offset of the packed scales, g = pair of 32-value sub-blocks, h = half
 * (128 values), j = which 16 of 32, k = quarter (32 values) of a half, q = 16 packed bytes.
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

    /** Q4_K/Q5_K: 6-bit scale of 32-value sub-block {@code sub} (0..7) from the 12 bytes at {@code sc}. */
    static int scale6(MemorySegment w, long sc, int sub) {
        return sub < 4 ? u8(w, sc + sub) & 63 : (u8(w, sc + sub + 4) & 0x0F) | (u8(w, sc + sub - 4) >>> 6) << 4;
    }

    /** Q4_K/Q5_K: 6-bit minimum of sub-block {@code sub}. */
    static int min6(MemorySegment w, long sc, int sub) {
        return sub < 4 ? u8(w, sc + sub + 4) & 63 : (u8(w, sc + sub + 4) >>> 4) | (u8(w, sc + sub) >>> 6) << 4;
    }

    /** Q3_K: 6-bit scale (0..63, offset 32) of 16-value sub-block {@code k} (0..15). */
    static int scaleQ3(MemorySegment w, long sc, int k) {
        int low = k < 8 ? u8(w, sc + k) & 0x0F : u8(w, sc + k - 8) >>> 4;
        return low | ((u8(w, sc + 8 + k % 4) >>> (2 * (k / 4))) & 3) << 4;
    }

    /** Stores scale·q − min for the 16 quants of {@code q} at dst[p ..]. */
    private static void store(ByteVector q, float scale, float min, float[] dst, int p) {
        FloatVector s = FloatVector.broadcast(F, scale);
        FloatVector m = FloatVector.broadcast(F, -min);
        for (int k = 0; k < PARTS; k++) {
            toFloats(q, k).fma(s, m).intoArray(dst, p + k * L);
        }
    }

    /** acc + Σ (scale·q − min)·x over the 16 quants of {@code q} and x[xo ..]. */
    private static FloatVector dot(ByteVector q, float scale, float min, float[] x, int xo, FloatVector acc) {
        FloatVector s = FloatVector.broadcast(F, scale);
        FloatVector m = FloatVector.broadcast(F, -min);
        for (int k = 0; k < PARTS; k++) {
            acc = toFloats(q, k).fma(s, m).fma(FloatVector.fromArray(F, x, xo + k * L), acc);
        }
        return acc;
    }

    /** acc + scale·Σ q·x over the 16 quants of {@code q} (signed, no minimum) and x[xo ..]. */
    private static FloatVector dot(ByteVector q, float scale, float[] x, int xo, FloatVector acc) {
        FloatVector s = FloatVector.zero(F);
        for (int k = 0; k < PARTS; k++) {
            s = toFloats(q, k).fma(FloatVector.fromArray(F, x, xo + k * L), s);
        }
        return s.fma(FloatVector.broadcast(F, scale), acc);
    }

    // ---- Q4_K: [d, dmin, 12 scale bytes, 128 qs]; value = d·sc·q − dmin·m

    /** Vector operations written inline (no vector helpers: see {@link FusedGemv}); GEMM panels decode here. */
    static void decodeQ4_K(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q4_K, p += QK) {
            float d = f16(w, o);
            float dmin = f16(w, o + 2);
            for (int g = 0; g < 4; g++) {
                FloatVector s0 = FloatVector.broadcast(F, d * scale6(w, o + 4, 2 * g));
                FloatVector m0 = FloatVector.broadcast(F, -(dmin * min6(w, o + 4, 2 * g)));
                FloatVector s1 = FloatVector.broadcast(F, d * scale6(w, o + 4, 2 * g + 1));
                FloatVector m1 = FloatVector.broadcast(F, -(dmin * min6(w, o + 4, 2 * g + 1)));
                for (int j = 0; j < 2; j++) {
                    ByteVector q = ByteVector.fromMemorySegment(Simd.B16, w, o + 16 + 32 * g + 16 * j, Simd.LE);
                    ByteVector lo = q.and((byte) 0x0F);
                    ByteVector hi = q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                    int e = p + 64 * g + 16 * j;
                    for (int k = 0; k < PARTS; k++) {
                        ((FloatVector) lo.convertShape(VectorOperators.B2F, F, k)).fma(s0, m0).intoArray(dst, e + k * L);
                        ((FloatVector) hi.convertShape(VectorOperators.B2F, F, k)).fma(s1, m1).intoArray(dst, e + 32 + k * L);
                    }
                }
            }
        }
    }

    static float dotQ4_K(MemorySegment w, long o, int nb, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++, o += Q4_K, xo += QK) {
            float d = f16(w, o);
            float dmin = f16(w, o + 2);
            for (int g = 0; g < 4; g++) {
                float s0 = d * scale6(w, o + 4, 2 * g);
                float m0 = dmin * min6(w, o + 4, 2 * g);
                float s1 = d * scale6(w, o + 4, 2 * g + 1);
                float m1 = dmin * min6(w, o + 4, 2 * g + 1);
                for (int j = 0; j < 2; j++) {
                    ByteVector q = Simd.bytes(w, o + 16 + 32 * g + 16 * j);
                    acc = dot(q.and((byte) 0x0F), s0, m0, x, xo + 64 * g + 16 * j, acc);
                    acc = dot(Simd.shr(q, 4).and((byte) 0x0F), s1, m1, x, xo + 64 * g + 32 + 16 * j, acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // ---- Q5_K: [d, dmin, 12 scale bytes, 32 qh, 128 qs]; q = nibble | (bit s of qh[l]) << 4

    /**
     * Vector operations written inline like {@link #decodeQ4_K} (through the store helper, C2 stopped inlining at
     * its node budget and boxed the vectors: 1.2 GB/s); the fifth bits come out of qh as 16-bit lanes, (qh &gt;&gt;&gt; s)
     * &amp; 0x0101 then &lt;&lt; 4 puts bit s of each byte at bit 4 of the same byte.
     */
    static void decodeQ5_K(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q5_K, p += QK) {
            float d = f16(w, o);
            float dmin = f16(w, o + 2);
            for (int g = 0; g < 4; g++) {
                FloatVector s0 = FloatVector.broadcast(F, d * scale6(w, o + 4, 2 * g));
                FloatVector m0 = FloatVector.broadcast(F, -(dmin * min6(w, o + 4, 2 * g)));
                FloatVector s1 = FloatVector.broadcast(F, d * scale6(w, o + 4, 2 * g + 1));
                FloatVector m1 = FloatVector.broadcast(F, -(dmin * min6(w, o + 4, 2 * g + 1)));
                for (int j = 0; j < 2; j++) {
                    ByteVector q = ByteVector.fromMemorySegment(Simd.B16, w, o + 48 + 32 * g + 16 * j, Simd.LE);
                    ShortVector qh = ByteVector.fromMemorySegment(Simd.B16, w, o + 16 + 16 * j, Simd.LE).reinterpretAsShorts();
                    ByteVector lo = q.and((byte) 0x0F).or(qh.lanewise(VectorOperators.LSHR, 2 * g).and((short) 0x0101)
                            .lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes());
                    ByteVector hi = q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                            .or(qh.lanewise(VectorOperators.LSHR, 2 * g + 1).and((short) 0x0101).lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes());
                    int e = p + 64 * g + 16 * j;
                    for (int k = 0; k < PARTS; k++) {
                        ((FloatVector) lo.convertShape(VectorOperators.B2F, F, k)).fma(s0, m0).intoArray(dst, e + k * L);
                        ((FloatVector) hi.convertShape(VectorOperators.B2F, F, k)).fma(s1, m1).intoArray(dst, e + 32 + k * L);
                    }
                }
            }
        }
    }

    // ---- Q6_K: [128 ql, 64 qh, 16 int8 scales, d]; value = d·scale·(q − 32)

    private static ByteVector q6(ByteVector nibbles, ByteVector qh, int k) {
        return nibbles.or(Simd.shl(Simd.shr(qh, 2 * k).and((byte) 3), 4)).sub((byte) 32);
    }

    /**
     * Chunk i of 16 values: half h = i/8, quarter m = (i/2) mod 4, j = i mod 2 (as {@link KQuantGemv#q6_K});
     * value = (q − 32)·(d·scale), vector operations inline.
     */
    static void decodeQ6_K(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q6_K, p += QK) {
            float d = f16(w, o + 208);
            for (int i = 0; i < 16; i++) {
                int h = i >> 3;
                int m = (i >> 1) & 3;
                int j = i & 1;
                FloatVector s = FloatVector.broadcast(F, d * w.get(io.llmopt.tensor.Layouts.BYTE, o + 192 + i));
                ByteVector q = ByteVector.fromMemorySegment(Simd.B16, w, o + 64 * h + 32 * (m & 1) + 16 * j, Simd.LE)
                        .reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4 * (m >> 1)).reinterpretAsBytes().and((byte) 0x0F)
                        .or(ByteVector.fromMemorySegment(Simd.B16, w, o + 128 + 32 * h + 16 * j, Simd.LE)
                                .reinterpretAsShorts().lanewise(VectorOperators.LSHR, 2 * m).reinterpretAsBytes().and((byte) 3)
                                .reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes())
                        .sub((byte) 32);
                for (int k = 0; k < PARTS; k++) {
                    ((FloatVector) q.convertShape(VectorOperators.B2F, F, k)).mul(s).intoArray(dst, p + 16 * i + k * L);
                }
            }
        }
    }

    static float dotQ6_K(MemorySegment w, long o, int nb, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++, o += Q6_K, xo += QK) {
            float d = f16(w, o + 208);
            for (int h = 0; h < 2; h++) {
                for (int j = 0; j < 2; j++) {
                    ByteVector qlA = Simd.bytes(w, o + 64 * h + 16 * j);
                    ByteVector qlB = Simd.bytes(w, o + 64 * h + 32 + 16 * j);
                    ByteVector qh = Simd.bytes(w, o + 128 + 32 * h + 16 * j);
                    int e = xo + 128 * h + 16 * j;
                    long sc = o + 192 + 8 * h + j;
                    acc = dot(q6(qlA.and((byte) 0x0F), qh, 0), d * w.get(io.llmopt.tensor.Layouts.BYTE, sc), x, e, acc);
                    acc = dot(q6(qlB.and((byte) 0x0F), qh, 1), d * w.get(io.llmopt.tensor.Layouts.BYTE, sc + 2), x, e + 32, acc);
                    acc = dot(q6(Simd.shr(qlA, 4).and((byte) 0x0F), qh, 2), d * w.get(io.llmopt.tensor.Layouts.BYTE, sc + 4), x, e + 64, acc);
                    acc = dot(q6(Simd.shr(qlB, 4).and((byte) 0x0F), qh, 3), d * w.get(io.llmopt.tensor.Layouts.BYTE, sc + 6), x, e + 96, acc);
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // ---- Q2_K: [16 scale bytes (low nibble scale, high nibble min), 64 qs, d, dmin]

    static void decodeQ2_K(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q2_K, p += QK) {
            float d = f16(w, o + 80);
            float dmin = f16(w, o + 82);
            for (int h = 0; h < 2; h++) {
                for (int j = 0; j < 2; j++) {
                    ByteVector qs = Simd.bytes(w, o + 16 + 32 * h + 16 * j);
                    for (int k = 0; k < 4; k++) {
                        int sc = u8(w, o + 8 * h + 2 * k + j);
                        ByteVector q = Simd.shr(qs, 2 * k).and((byte) 3);
                        store(q, d * (sc & 0x0F), dmin * (sc >>> 4), dst, p + 128 * h + 32 * k + 16 * j);
                    }
                }
            }
        }
    }

    // ---- Q3_K: [32 hmask, 64 qs, 12 scale bytes, d]; q = low2 − 4·(1 − hbit), value = d·(scale − 32)·q

    static void decodeQ3_K(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q3_K, p += QK) {
            float d = f16(w, o + 108);
            for (int j = 0; j < 2; j++) {
                ByteVector hm = Simd.bytes(w, o + 16 * j);
                for (int h = 0; h < 2; h++) {
                    ByteVector qs = Simd.bytes(w, o + 32 + 32 * h + 16 * j);
                    for (int k = 0; k < 4; k++) {
                        ByteVector low = Simd.shr(qs, 2 * k).and((byte) 3);
                        ByteVector noHigh = Simd.shr(hm, 4 * h + k).and((byte) 1).lanewise(VectorOperators.XOR, (byte) 1);
                        ByteVector q = low.sub(Simd.shl(noHigh, 2));
                        store(q, d * (scaleQ3(w, o + 96, 8 * h + 2 * k + j) - 32), 0f, dst, p + 128 * h + 32 * k + 16 * j);
                    }
                }
            }
        }
    }
}
