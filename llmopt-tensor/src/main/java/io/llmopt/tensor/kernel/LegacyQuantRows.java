package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.B16;
import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.PARTS;
import static io.llmopt.tensor.kernel.Simd.f16;
import static io.llmopt.tensor.kernel.Simd.toFloats;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * Row kernels for the 32-value block types Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0 (layouts: see the codecs in
 * {@code io.llmopt.tensor.quant}). Each block is decoded in registers: 16 packed bytes at a time, split into
 * nibbles (plus the fifth bits for Q5), widened to floats and scaled exactly like the reference
 * {@code dequantize}; {@code decode} stores the values, {@code dot} multiplies them into x at once.
 *
 * <p>Notation: o = byte offset of the first block, nb = number of blocks, p/xo = float array offsets, q = a
 * block's 16 packed bytes, lo/hi = elements 0..15 / 16..31 of the block as signed bytes, d = block scale,
 * m = block minimum.
 */
final class LegacyQuantRows {
    private static final int QK = 32;
    private static final int Q4_0 = GgmlType.Q4_0.blockBytes();
    private static final int Q4_1 = GgmlType.Q4_1.blockBytes();
    private static final int Q5_0 = GgmlType.Q5_0.blockBytes();
    private static final int Q5_1 = GgmlType.Q5_1.blockBytes();
    private static final int Q8_0 = GgmlType.Q8_0.blockBytes();

    /** Q5 fifth bits: byte lane j (of 16) tests bit j%8 of qh byte j/8 (elements 0..15) or 2 + j/8 (16..31). */
    static final VectorShuffle<Byte> QH_LO = VectorShuffle.fromValues(B16, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    static final VectorShuffle<Byte> QH_HI = VectorShuffle.fromValues(B16, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    static final ByteVector BITS = ByteVector.fromArray(B16,
            new byte[] {1, 2, 4, 8, 16, 32, 64, (byte) 128, 1, 2, 4, 8, 16, 32, 64, (byte) 128}, 0);

    private LegacyQuantRows() {
    }

    private static ByteVector low(ByteVector q) {
        return q.and((byte) 0x0F);
    }

    private static ByteVector high(ByteVector q) {
        return Simd.shr(q, 4).and((byte) 0x0F);
    }

    /** Lanes whose fifth bit is set, for the 16 elements selected by {@code half} (QH_LO or QH_HI). */
    private static VectorMask<Byte> fifthBits(ByteVector qh, VectorShuffle<Byte> half) {
        return qh.rearrange(half).and(BITS).compare(VectorOperators.NE, 0);
    }

    // ---- Q4_0: value = (nibble − 8)·d

    /** Vector operations written inline (no vector helpers: see {@link FusedGemv}); GEMM panels decode here. */
    static void decodeQ4_0(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q4_0, p += QK) {
            FloatVector d = FloatVector.broadcast(F, f16(w, o));
            ByteVector q = ByteVector.fromMemorySegment(B16, w, o + 2, Simd.LE);
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).sub((byte) 8);
            for (int k = 0; k < PARTS; k++) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, k)).mul(d).intoArray(dst, p + k * L);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, k)).mul(d).intoArray(dst, p + 16 + k * L);
            }
        }
    }

    static float dotQ4_0(MemorySegment w, long o, int nb, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++, o += Q4_0, xo += QK) {
            ByteVector q = Simd.bytes(w, o + 2);
            ByteVector lo = low(q).sub((byte) 8);
            ByteVector hi = high(q).sub((byte) 8);
            FloatVector s = FloatVector.zero(F);
            for (int k = 0; k < PARTS; k++) {
                s = toFloats(lo, k).fma(FloatVector.fromArray(F, x, xo + k * L), s);
                s = toFloats(hi, k).fma(FloatVector.fromArray(F, x, xo + 16 + k * L), s);
            }
            acc = s.fma(FloatVector.broadcast(F, f16(w, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // ---- Q4_1: value = nibble·d + m

    static void decodeQ4_1(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q4_1, p += QK) {
            FloatVector d = FloatVector.broadcast(F, f16(w, o));
            FloatVector m = FloatVector.broadcast(F, f16(w, o + 2));
            ByteVector q = Simd.bytes(w, o + 4);
            ByteVector lo = low(q);
            ByteVector hi = high(q);
            for (int k = 0; k < PARTS; k++) {
                toFloats(lo, k).fma(d, m).intoArray(dst, p + k * L);
                toFloats(hi, k).fma(d, m).intoArray(dst, p + 16 + k * L);
            }
        }
    }

    static float dotQ4_1(MemorySegment w, long o, int nb, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++, o += Q4_1, xo += QK) {
            FloatVector d = FloatVector.broadcast(F, f16(w, o));
            FloatVector m = FloatVector.broadcast(F, f16(w, o + 2));
            ByteVector q = Simd.bytes(w, o + 4);
            ByteVector lo = low(q);
            ByteVector hi = high(q);
            for (int k = 0; k < PARTS; k++) {
                acc = toFloats(lo, k).fma(d, m).fma(FloatVector.fromArray(F, x, xo + k * L), acc);
                acc = toFloats(hi, k).fma(d, m).fma(FloatVector.fromArray(F, x, xo + 16 + k * L), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // ---- Q5_0: value = (q − 16)·d, q = nibble | fifth bit << 4; qh (4 bytes) at o+2, nibbles at o+6

    static void decodeQ5_0(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q5_0, p += QK) {
            FloatVector d = FloatVector.broadcast(F, f16(w, o));
            ByteVector qh = Simd.bytes(w, o + 2); // the 4 qh bytes, then nibbles: stays inside the block
            ByteVector q = Simd.bytes(w, o + 6);
            ByteVector lo = low(q).lanewise(VectorOperators.OR, (byte) 16, fifthBits(qh, QH_LO)).sub((byte) 16);
            ByteVector hi = high(q).lanewise(VectorOperators.OR, (byte) 16, fifthBits(qh, QH_HI)).sub((byte) 16);
            for (int k = 0; k < PARTS; k++) {
                toFloats(lo, k).mul(d).intoArray(dst, p + k * L);
                toFloats(hi, k).mul(d).intoArray(dst, p + 16 + k * L);
            }
        }
    }

    static float dotQ5_0(MemorySegment w, long o, int nb, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++, o += Q5_0, xo += QK) {
            ByteVector qh = Simd.bytes(w, o + 2);
            ByteVector q = Simd.bytes(w, o + 6);
            ByteVector lo = low(q).lanewise(VectorOperators.OR, (byte) 16, fifthBits(qh, QH_LO)).sub((byte) 16);
            ByteVector hi = high(q).lanewise(VectorOperators.OR, (byte) 16, fifthBits(qh, QH_HI)).sub((byte) 16);
            FloatVector s = FloatVector.zero(F);
            for (int k = 0; k < PARTS; k++) {
                s = toFloats(lo, k).fma(FloatVector.fromArray(F, x, xo + k * L), s);
                s = toFloats(hi, k).fma(FloatVector.fromArray(F, x, xo + 16 + k * L), s);
            }
            acc = s.fma(FloatVector.broadcast(F, f16(w, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // ---- Q5_1: value = q·d + m; qh at o+4, nibbles at o+8

    static void decodeQ5_1(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q5_1, p += QK) {
            FloatVector d = FloatVector.broadcast(F, f16(w, o));
            FloatVector m = FloatVector.broadcast(F, f16(w, o + 2));
            ByteVector qh = Simd.bytes(w, o + 4);
            ByteVector q = Simd.bytes(w, o + 8);
            ByteVector lo = low(q).lanewise(VectorOperators.OR, (byte) 16, fifthBits(qh, QH_LO));
            ByteVector hi = high(q).lanewise(VectorOperators.OR, (byte) 16, fifthBits(qh, QH_HI));
            for (int k = 0; k < PARTS; k++) {
                toFloats(lo, k).fma(d, m).intoArray(dst, p + k * L);
                toFloats(hi, k).fma(d, m).intoArray(dst, p + 16 + k * L);
            }
        }
    }

    static float dotQ5_1(MemorySegment w, long o, int nb, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++, o += Q5_1, xo += QK) {
            FloatVector d = FloatVector.broadcast(F, f16(w, o));
            FloatVector m = FloatVector.broadcast(F, f16(w, o + 2));
            ByteVector qh = Simd.bytes(w, o + 4);
            ByteVector q = Simd.bytes(w, o + 8);
            ByteVector lo = low(q).lanewise(VectorOperators.OR, (byte) 16, fifthBits(qh, QH_LO));
            ByteVector hi = high(q).lanewise(VectorOperators.OR, (byte) 16, fifthBits(qh, QH_HI));
            for (int k = 0; k < PARTS; k++) {
                acc = toFloats(lo, k).fma(d, m).fma(FloatVector.fromArray(F, x, xo + k * L), acc);
                acc = toFloats(hi, k).fma(d, m).fma(FloatVector.fromArray(F, x, xo + 16 + k * L), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // ---- Q8_0: value = q·d, 32 signed bytes at o+2

    static void decodeQ8_0(MemorySegment w, long o, int nb, float[] dst, int p) {
        for (int b = 0; b < nb; b++, o += Q8_0, p += QK) {
            FloatVector d = FloatVector.broadcast(F, f16(w, o));
            ByteVector lo = ByteVector.fromMemorySegment(B16, w, o + 2, Simd.LE);
            ByteVector hi = ByteVector.fromMemorySegment(B16, w, o + 18, Simd.LE);
            for (int k = 0; k < PARTS; k++) {
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, k)).mul(d).intoArray(dst, p + k * L);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, k)).mul(d).intoArray(dst, p + 16 + k * L);
            }
        }
    }

    static float dotQ8_0(MemorySegment w, long o, int nb, float[] x, int xo) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < nb; b++, o += Q8_0, xo += QK) {
            ByteVector lo = Simd.bytes(w, o + 2);
            ByteVector hi = Simd.bytes(w, o + 18);
            FloatVector s = FloatVector.zero(F);
            for (int k = 0; k < PARTS; k++) {
                s = toFloats(lo, k).fma(FloatVector.fromArray(F, x, xo + k * L), s);
                s = toFloats(hi, k).fma(FloatVector.fromArray(F, x, xo + 16 + k * L), s);
            }
            acc = s.fma(FloatVector.broadcast(F, f16(w, o)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
