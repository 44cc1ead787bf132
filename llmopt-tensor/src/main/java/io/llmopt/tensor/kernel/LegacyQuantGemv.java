package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.B16;
import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.LE;
import static io.llmopt.tensor.kernel.Simd.PARTS;

import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Fused four-row GEMV kernels for Q4_1, Q5_0 and Q5_1 (see {@link FusedGemv} for the contract and why the bits
 * equal the decode-then-multiply path): each weight vector is computed by exactly the expression
 * {@link LegacyQuantRows}' decoder stores (the fifth bits of Q5 by the same shuffle, bit test and masked or), and
 * each row's accumulator takes the 16-value halves of the blocks in ascending column order. Every vector
 * operation is written out (no helper takes or returns a vector), and so are the fp16 scale reads: as calls
 * (C2 stopped inlining them at its node budget) they made it save the accumulators around each.
 */
final class LegacyQuantGemv {

    private LegacyQuantGemv() {
    }

    /** Q4_1: value = fma(q, d, m) with q the nibble (elements 0..15 low, 16..31 high). */
    static void q4_1(MemorySegment w, long o0, long o1, long o2, long o3, long stride, int nb, float[] x, int xo,
            float[] acc, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 32) {
            long bo = b * stride;
            long b0 = o0 + bo;
            long b1 = o1 + bo;
            long b2 = o2 + bo;
            long b3 = o3 + bo;
            FloatVector d0 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b0))); FloatVector m0 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b0 + 2)));
            FloatVector d1 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b1))); FloatVector m1 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b1 + 2)));
            FloatVector d2 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b2))); FloatVector m2 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b2 + 2)));
            FloatVector d3 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b3))); FloatVector m3 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b3 + 2)));
            ByteVector p0 = ByteVector.fromMemorySegment(B16, w, b0 + 4, LE);
            ByteVector p1 = ByteVector.fromMemorySegment(B16, w, b1 + 4, LE);
            ByteVector p2 = ByteVector.fromMemorySegment(B16, w, b2 + 4, LE);
            ByteVector p3 = ByteVector.fromMemorySegment(B16, w, b3 + 4, LE);
            ByteVector q00 = p0.and((byte) 0x0F);
            ByteVector q10 = p1.and((byte) 0x0F);
            ByteVector q20 = p2.and((byte) 0x0F);
            ByteVector q30 = p3.and((byte) 0x0F);
            for (int k = 0; k < PARTS; k++) {
                FloatVector v = FloatVector.fromArray(F, x, xo + k * L);
                a0 = ((FloatVector) q00.convertShape(VectorOperators.B2F, F, k)).fma(d0, m0).fma(v, a0);
                a1 = ((FloatVector) q10.convertShape(VectorOperators.B2F, F, k)).fma(d1, m1).fma(v, a1);
                a2 = ((FloatVector) q20.convertShape(VectorOperators.B2F, F, k)).fma(d2, m2).fma(v, a2);
                a3 = ((FloatVector) q30.convertShape(VectorOperators.B2F, F, k)).fma(d3, m3).fma(v, a3);
            }
            ByteVector q01 = p0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
            ByteVector q11 = p1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
            ByteVector q21 = p2.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
            ByteVector q31 = p3.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
            for (int k = 0; k < PARTS; k++) {
                FloatVector v = FloatVector.fromArray(F, x, xo + 16 + k * L);
                a0 = ((FloatVector) q01.convertShape(VectorOperators.B2F, F, k)).fma(d0, m0).fma(v, a0);
                a1 = ((FloatVector) q11.convertShape(VectorOperators.B2F, F, k)).fma(d1, m1).fma(v, a1);
                a2 = ((FloatVector) q21.convertShape(VectorOperators.B2F, F, k)).fma(d2, m2).fma(v, a2);
                a3 = ((FloatVector) q31.convertShape(VectorOperators.B2F, F, k)).fma(d3, m3).fma(v, a3);
            }
        }
        Simd.ZERO.add(a0).intoArray(acc, p); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(a1).intoArray(acc, p + 1 * L);
        Simd.ZERO.add(a2).intoArray(acc, p + 2 * L);
        Simd.ZERO.add(a3).intoArray(acc, p + 3 * L);
    }

    /** Q5_0: value = (q − 16)·d with q = nibble | fifth bit &lt;&lt; 4 (qh: four bytes at 2). */
    static void q5_0(MemorySegment w, long o0, long o1, long o2, long o3, long stride, int nb, float[] x, int xo,
            float[] acc, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 32) {
            long bo = b * stride;
            long b0 = o0 + bo;
            long b1 = o1 + bo;
            long b2 = o2 + bo;
            long b3 = o3 + bo;
            FloatVector d0 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b0)));
            FloatVector d1 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b1)));
            FloatVector d2 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b2)));
            FloatVector d3 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b3)));
            ByteVector p0 = ByteVector.fromMemorySegment(B16, w, b0 + 6, LE);
            ByteVector p1 = ByteVector.fromMemorySegment(B16, w, b1 + 6, LE);
            ByteVector p2 = ByteVector.fromMemorySegment(B16, w, b2 + 6, LE);
            ByteVector p3 = ByteVector.fromMemorySegment(B16, w, b3 + 6, LE);
            ByteVector h0 = ByteVector.fromMemorySegment(B16, w, b0 + 2, LE); // qh, then nibbles: inside the block
            ByteVector h1 = ByteVector.fromMemorySegment(B16, w, b1 + 2, LE); // qh, then nibbles: inside the block
            ByteVector h2 = ByteVector.fromMemorySegment(B16, w, b2 + 2, LE); // qh, then nibbles: inside the block
            ByteVector h3 = ByteVector.fromMemorySegment(B16, w, b3 + 2, LE); // qh, then nibbles: inside the block
            ByteVector q00 = p0.and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h0.rearrange(LegacyQuantRows.QH_LO).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0)).sub((byte) 16);
            ByteVector q10 = p1.and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h1.rearrange(LegacyQuantRows.QH_LO).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0)).sub((byte) 16);
            ByteVector q20 = p2.and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h2.rearrange(LegacyQuantRows.QH_LO).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0)).sub((byte) 16);
            ByteVector q30 = p3.and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h3.rearrange(LegacyQuantRows.QH_LO).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0)).sub((byte) 16);
            for (int k = 0; k < PARTS; k++) {
                FloatVector v = FloatVector.fromArray(F, x, xo + k * L);
                a0 = ((FloatVector) q00.convertShape(VectorOperators.B2F, F, k)).mul(d0).fma(v, a0);
                a1 = ((FloatVector) q10.convertShape(VectorOperators.B2F, F, k)).mul(d1).fma(v, a1);
                a2 = ((FloatVector) q20.convertShape(VectorOperators.B2F, F, k)).mul(d2).fma(v, a2);
                a3 = ((FloatVector) q30.convertShape(VectorOperators.B2F, F, k)).mul(d3).fma(v, a3);
            }
            ByteVector q01 = p0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h0.rearrange(LegacyQuantRows.QH_HI).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0)).sub((byte) 16);
            ByteVector q11 = p1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h1.rearrange(LegacyQuantRows.QH_HI).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0)).sub((byte) 16);
            ByteVector q21 = p2.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h2.rearrange(LegacyQuantRows.QH_HI).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0)).sub((byte) 16);
            ByteVector q31 = p3.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h3.rearrange(LegacyQuantRows.QH_HI).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0)).sub((byte) 16);
            for (int k = 0; k < PARTS; k++) {
                FloatVector v = FloatVector.fromArray(F, x, xo + 16 + k * L);
                a0 = ((FloatVector) q01.convertShape(VectorOperators.B2F, F, k)).mul(d0).fma(v, a0);
                a1 = ((FloatVector) q11.convertShape(VectorOperators.B2F, F, k)).mul(d1).fma(v, a1);
                a2 = ((FloatVector) q21.convertShape(VectorOperators.B2F, F, k)).mul(d2).fma(v, a2);
                a3 = ((FloatVector) q31.convertShape(VectorOperators.B2F, F, k)).mul(d3).fma(v, a3);
            }
        }
        Simd.ZERO.add(a0).intoArray(acc, p); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(a1).intoArray(acc, p + 1 * L);
        Simd.ZERO.add(a2).intoArray(acc, p + 2 * L);
        Simd.ZERO.add(a3).intoArray(acc, p + 3 * L);
    }

    /** Q5_1: value = fma(q, d, m) with q = nibble | fifth bit &lt;&lt; 4 (qh: four bytes at 4). */
    static void q5_1(MemorySegment w, long o0, long o1, long o2, long o3, long stride, int nb, float[] x, int xo,
            float[] acc, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 32) {
            long bo = b * stride;
            long b0 = o0 + bo;
            long b1 = o1 + bo;
            long b2 = o2 + bo;
            long b3 = o3 + bo;
            FloatVector d0 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b0))); FloatVector m0 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b0 + 2)));
            FloatVector d1 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b1))); FloatVector m1 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b1 + 2)));
            FloatVector d2 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b2))); FloatVector m2 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b2 + 2)));
            FloatVector d3 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b3))); FloatVector m3 = FloatVector.broadcast(F, Float.float16ToFloat(w.get(Layouts.SHORT, b3 + 2)));
            ByteVector p0 = ByteVector.fromMemorySegment(B16, w, b0 + 8, LE);
            ByteVector p1 = ByteVector.fromMemorySegment(B16, w, b1 + 8, LE);
            ByteVector p2 = ByteVector.fromMemorySegment(B16, w, b2 + 8, LE);
            ByteVector p3 = ByteVector.fromMemorySegment(B16, w, b3 + 8, LE);
            ByteVector h0 = ByteVector.fromMemorySegment(B16, w, b0 + 4, LE); // qh, then nibbles: inside the block
            ByteVector h1 = ByteVector.fromMemorySegment(B16, w, b1 + 4, LE); // qh, then nibbles: inside the block
            ByteVector h2 = ByteVector.fromMemorySegment(B16, w, b2 + 4, LE); // qh, then nibbles: inside the block
            ByteVector h3 = ByteVector.fromMemorySegment(B16, w, b3 + 4, LE); // qh, then nibbles: inside the block
            ByteVector q00 = p0.and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h0.rearrange(LegacyQuantRows.QH_LO).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0));
            ByteVector q10 = p1.and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h1.rearrange(LegacyQuantRows.QH_LO).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0));
            ByteVector q20 = p2.and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h2.rearrange(LegacyQuantRows.QH_LO).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0));
            ByteVector q30 = p3.and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h3.rearrange(LegacyQuantRows.QH_LO).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0));
            for (int k = 0; k < PARTS; k++) {
                FloatVector v = FloatVector.fromArray(F, x, xo + k * L);
                a0 = ((FloatVector) q00.convertShape(VectorOperators.B2F, F, k)).fma(d0, m0).fma(v, a0);
                a1 = ((FloatVector) q10.convertShape(VectorOperators.B2F, F, k)).fma(d1, m1).fma(v, a1);
                a2 = ((FloatVector) q20.convertShape(VectorOperators.B2F, F, k)).fma(d2, m2).fma(v, a2);
                a3 = ((FloatVector) q30.convertShape(VectorOperators.B2F, F, k)).fma(d3, m3).fma(v, a3);
            }
            ByteVector q01 = p0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h0.rearrange(LegacyQuantRows.QH_HI).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0));
            ByteVector q11 = p1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h1.rearrange(LegacyQuantRows.QH_HI).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0));
            ByteVector q21 = p2.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h2.rearrange(LegacyQuantRows.QH_HI).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0));
            ByteVector q31 = p3.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F)
                    .lanewise(VectorOperators.OR, (byte) 16, h3.rearrange(LegacyQuantRows.QH_HI).and(LegacyQuantRows.BITS).compare(VectorOperators.NE, 0));
            for (int k = 0; k < PARTS; k++) {
                FloatVector v = FloatVector.fromArray(F, x, xo + 16 + k * L);
                a0 = ((FloatVector) q01.convertShape(VectorOperators.B2F, F, k)).fma(d0, m0).fma(v, a0);
                a1 = ((FloatVector) q11.convertShape(VectorOperators.B2F, F, k)).fma(d1, m1).fma(v, a1);
                a2 = ((FloatVector) q21.convertShape(VectorOperators.B2F, F, k)).fma(d2, m2).fma(v, a2);
                a3 = ((FloatVector) q31.convertShape(VectorOperators.B2F, F, k)).fma(d3, m3).fma(v, a3);
            }
        }
        Simd.ZERO.add(a0).intoArray(acc, p); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(a1).intoArray(acc, p + 1 * L);
        Simd.ZERO.add(a2).intoArray(acc, p + 2 * L);
        Simd.ZERO.add(a3).intoArray(acc, p + 3 * L);
    }
}
