package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.PARTS;
import static io.llmopt.tensor.kernel.Simd.f16;
import static io.llmopt.tensor.kernel.Simd.B16;
import static io.llmopt.tensor.kernel.Simd.LE;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Fused four-row GEMV kernels for the k-quants (see {@link FusedGemv} for the contract and why the bits
 * equal the decode-then-multiply path): each weight vector is {@code float(q)·scale − min} as one fma, the
 * expression {@link KQuantRows}' decoders store.
 */
final class KQuantGemv {

    private KQuantGemv() {
    }

    /**
     * Q4_K: sub-blocks 2g and 2g + 1 (32 values each) are the low and high nibbles of bytes 32·g ..; their
     * scales and negated minimums come from t (staged by {@link #scalesQ4_K}, so the big loop holds no scalar
     * segment reads: they made C2 hit its node cutoff). Each 16-byte load serves both nibbles; the
     * accumulators still take the column chunks in ascending order (low j = 0, 1, then high j = 0, 1).
     */
    static void q4_K(MemorySegment w, long o0, long o1, long o2, long o3, long stride, int nb, float[] x, int xo,
            float[] t, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 256) {
            long bo = b * stride;
            long b0 = o0 + bo, b1 = o1 + bo, b2 = o2 + bo, b3 = o3 + bo;
            scalesQ4_K(w, b0, t, 0);
            scalesQ4_K(w, b1, t, 16);
            scalesQ4_K(w, b2, t, 32);
            scalesQ4_K(w, b3, t, 48);
            for (int g = 0; g < 4; g++) {
                long q = 16 + 32 * g;
                ByteVector r0 = ByteVector.fromMemorySegment(B16, w, b0 + q, LE), u0 = ByteVector.fromMemorySegment(B16, w, b0 + q + 16, LE);
                ByteVector r1 = ByteVector.fromMemorySegment(B16, w, b1 + q, LE), u1 = ByteVector.fromMemorySegment(B16, w, b1 + q + 16, LE);
                ByteVector r2 = ByteVector.fromMemorySegment(B16, w, b2 + q, LE), u2 = ByteVector.fromMemorySegment(B16, w, b2 + q + 16, LE);
                ByteVector r3 = ByteVector.fromMemorySegment(B16, w, b3 + q, LE), u3 = ByteVector.fromMemorySegment(B16, w, b3 + q + 16, LE);
                int sub0 = 2 * g + 0;
                FloatVector s00 = FloatVector.broadcast(F, t[0 + sub0]), m00 = FloatVector.broadcast(F, t[8 + sub0]);
                FloatVector s10 = FloatVector.broadcast(F, t[16 + sub0]), m10 = FloatVector.broadcast(F, t[24 + sub0]);
                FloatVector s20 = FloatVector.broadcast(F, t[32 + sub0]), m20 = FloatVector.broadcast(F, t[40 + sub0]);
                FloatVector s30 = FloatVector.broadcast(F, t[48 + sub0]), m30 = FloatVector.broadcast(F, t[56 + sub0]);
                ByteVector q000 = r0.and((byte) 0x0F);
                ByteVector q100 = r1.and((byte) 0x0F);
                ByteVector q200 = r2.and((byte) 0x0F);
                ByteVector q300 = r3.and((byte) 0x0F);
                for (int k = 0; k < PARTS; k++) {
                    FloatVector v = FloatVector.fromArray(F, x, xo + 32 * sub0 + 0 + k * L);
                    a0 = ((FloatVector) q000.convertShape(VectorOperators.B2F, F, k)).fma(s00, m00).fma(v, a0);
                    a1 = ((FloatVector) q100.convertShape(VectorOperators.B2F, F, k)).fma(s10, m10).fma(v, a1);
                    a2 = ((FloatVector) q200.convertShape(VectorOperators.B2F, F, k)).fma(s20, m20).fma(v, a2);
                    a3 = ((FloatVector) q300.convertShape(VectorOperators.B2F, F, k)).fma(s30, m30).fma(v, a3);
                }
                ByteVector q001 = u0.and((byte) 0x0F);
                ByteVector q101 = u1.and((byte) 0x0F);
                ByteVector q201 = u2.and((byte) 0x0F);
                ByteVector q301 = u3.and((byte) 0x0F);
                for (int k = 0; k < PARTS; k++) {
                    FloatVector v = FloatVector.fromArray(F, x, xo + 32 * sub0 + 16 + k * L);
                    a0 = ((FloatVector) q001.convertShape(VectorOperators.B2F, F, k)).fma(s00, m00).fma(v, a0);
                    a1 = ((FloatVector) q101.convertShape(VectorOperators.B2F, F, k)).fma(s10, m10).fma(v, a1);
                    a2 = ((FloatVector) q201.convertShape(VectorOperators.B2F, F, k)).fma(s20, m20).fma(v, a2);
                    a3 = ((FloatVector) q301.convertShape(VectorOperators.B2F, F, k)).fma(s30, m30).fma(v, a3);
                }
                int sub1 = 2 * g + 1;
                FloatVector s01 = FloatVector.broadcast(F, t[0 + sub1]), m01 = FloatVector.broadcast(F, t[8 + sub1]);
                FloatVector s11 = FloatVector.broadcast(F, t[16 + sub1]), m11 = FloatVector.broadcast(F, t[24 + sub1]);
                FloatVector s21 = FloatVector.broadcast(F, t[32 + sub1]), m21 = FloatVector.broadcast(F, t[40 + sub1]);
                FloatVector s31 = FloatVector.broadcast(F, t[48 + sub1]), m31 = FloatVector.broadcast(F, t[56 + sub1]);
                ByteVector q010 = r0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                ByteVector q110 = r1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                ByteVector q210 = r2.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                ByteVector q310 = r3.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                for (int k = 0; k < PARTS; k++) {
                    FloatVector v = FloatVector.fromArray(F, x, xo + 32 * sub1 + 0 + k * L);
                    a0 = ((FloatVector) q010.convertShape(VectorOperators.B2F, F, k)).fma(s01, m01).fma(v, a0);
                    a1 = ((FloatVector) q110.convertShape(VectorOperators.B2F, F, k)).fma(s11, m11).fma(v, a1);
                    a2 = ((FloatVector) q210.convertShape(VectorOperators.B2F, F, k)).fma(s21, m21).fma(v, a2);
                    a3 = ((FloatVector) q310.convertShape(VectorOperators.B2F, F, k)).fma(s31, m31).fma(v, a3);
                }
                ByteVector q011 = u0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                ByteVector q111 = u1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                ByteVector q211 = u2.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                ByteVector q311 = u3.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F);
                for (int k = 0; k < PARTS; k++) {
                    FloatVector v = FloatVector.fromArray(F, x, xo + 32 * sub1 + 16 + k * L);
                    a0 = ((FloatVector) q011.convertShape(VectorOperators.B2F, F, k)).fma(s01, m01).fma(v, a0);
                    a1 = ((FloatVector) q111.convertShape(VectorOperators.B2F, F, k)).fma(s11, m11).fma(v, a1);
                    a2 = ((FloatVector) q211.convertShape(VectorOperators.B2F, F, k)).fma(s21, m21).fma(v, a2);
                    a3 = ((FloatVector) q311.convertShape(VectorOperators.B2F, F, k)).fma(s31, m31).fma(v, a3);
                }
            }
        }
        a0.intoArray(t, p);
        a1.intoArray(t, p + L);
        a2.intoArray(t, p + 2 * L);
        a3.intoArray(t, p + 3 * L);
    }

    /**
     * Q5_K: as {@link #q4_K} (the same scale bytes at the same place, staged by {@link #scalesQ4_K}), the nibbles
     * at 48 + 32·g and the fifth bits from qh (bytes 16 .. 48): bit 2g of qh[l] for sub-block 2g, bit 2g + 1 for
     * 2g + 1, moved to bit 4 of each byte in 16-bit lanes ((qh &gt;&gt;&gt; s) &amp; 0x0101, then &lt;&lt; 4), exactly
     * as {@link KQuantRows#decodeQ5_K} builds them; the accumulators take the 16-column chunks in ascending
     * order. Written with loops over the sub-blocks and chunks rather than out like q4_K: unrolled, the
     * method's tier-3 C1 compile ran out of virtual registers, and HotSpot left it interpreted (0.07 GB/s).
     */
    static void q5_K(MemorySegment w, long o0, long o1, long o2, long o3, long stride, int nb, float[] x, int xo,
            float[] t, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 256) {
            long bo = b * stride;
            long b0 = o0 + bo, b1 = o1 + bo, b2 = o2 + bo, b3 = o3 + bo;
            scalesQ4_K(w, b0, t, 0);
            scalesQ4_K(w, b1, t, 16);
            scalesQ4_K(w, b2, t, 32);
            scalesQ4_K(w, b3, t, 48);
            for (int sub = 0; sub < 8; sub++) {
                int nib = 4 * (sub & 1); // sub-block 2g: low nibbles of bytes 48 + 32g ..; 2g + 1: high nibbles
                long q = 48 + 32 * (sub >>> 1);
                FloatVector s0 = FloatVector.broadcast(F, t[0 + sub]), m0 = FloatVector.broadcast(F, t[8 + sub]);
                FloatVector s1 = FloatVector.broadcast(F, t[16 + sub]), m1 = FloatVector.broadcast(F, t[24 + sub]);
                FloatVector s2 = FloatVector.broadcast(F, t[32 + sub]), m2 = FloatVector.broadcast(F, t[40 + sub]);
                FloatVector s3 = FloatVector.broadcast(F, t[48 + sub]), m3 = FloatVector.broadcast(F, t[56 + sub]);
                for (int j = 0; j < 2; j++) {
                    ByteVector q0 = ByteVector.fromMemorySegment(B16, w, b0 + q + 16 * j, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, nib)
                            .reinterpretAsBytes().and((byte) 0x0F).or(ByteVector.fromMemorySegment(B16, w, b0 + 16 + 16 * j, LE).reinterpretAsShorts()
                            .lanewise(VectorOperators.LSHR, sub).and((short) 0x0101).lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes());
                    ByteVector q1 = ByteVector.fromMemorySegment(B16, w, b1 + q + 16 * j, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, nib)
                            .reinterpretAsBytes().and((byte) 0x0F).or(ByteVector.fromMemorySegment(B16, w, b1 + 16 + 16 * j, LE).reinterpretAsShorts()
                            .lanewise(VectorOperators.LSHR, sub).and((short) 0x0101).lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes());
                    ByteVector q2 = ByteVector.fromMemorySegment(B16, w, b2 + q + 16 * j, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, nib)
                            .reinterpretAsBytes().and((byte) 0x0F).or(ByteVector.fromMemorySegment(B16, w, b2 + 16 + 16 * j, LE).reinterpretAsShorts()
                            .lanewise(VectorOperators.LSHR, sub).and((short) 0x0101).lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes());
                    ByteVector q3 = ByteVector.fromMemorySegment(B16, w, b3 + q + 16 * j, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, nib)
                            .reinterpretAsBytes().and((byte) 0x0F).or(ByteVector.fromMemorySegment(B16, w, b3 + 16 + 16 * j, LE).reinterpretAsShorts()
                            .lanewise(VectorOperators.LSHR, sub).and((short) 0x0101).lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes());
                    for (int k = 0; k < PARTS; k++) {
                        FloatVector v = FloatVector.fromArray(F, x, xo + 32 * sub + 16 * j + k * L);
                        a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, k)).fma(s0, m0).fma(v, a0);
                        a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, k)).fma(s1, m1).fma(v, a1);
                        a2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, k)).fma(s2, m2).fma(v, a2);
                        a3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, k)).fma(s3, m3).fma(v, a3);
                    }
                }
            }
        }
        Simd.ZERO.add(a0).intoArray(t, p); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(a1).intoArray(t, p + 1 * L);
        Simd.ZERO.add(a2).intoArray(t, p + 2 * L);
        Simd.ZERO.add(a3).intoArray(t, p + 3 * L);
    }

    /**
     * Q2_K ([16 scale bytes, 64 qs, d, dmin]): 16-column chunk i (h = i/8, k = (i/2) mod 4, j = i mod 2) is
     * bits 2k of qs bytes 16 + 32h + 16j .., with scale byte i: value = fma(q, d·(sc &amp; 15), −(dmin·(sc &gt;&gt;&gt; 4))),
     * the expression {@link KQuantRows#decodeQ2_K} stores; chunks in ascending order. Scales and negated
     * minimums staged in t[32r ..] by {@link #scalesQ2_K}.
     */
    static void q2_K(MemorySegment w, long o0, long o1, long o2, long o3, long stride, int nb, float[] x, int xo,
            float[] t, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 256) {
            long bo = b * stride;
            long b0 = o0 + bo, b1 = o1 + bo, b2 = o2 + bo, b3 = o3 + bo;
            scalesQ2_K(w, b0, t, 0);
            scalesQ2_K(w, b1, t, 32);
            scalesQ2_K(w, b2, t, 64);
            scalesQ2_K(w, b3, t, 96);
            for (int i = 0; i < 16; i++) {
                long q = 16 + 32 * (i >>> 3) + 16 * (i & 1);
                int sh = 2 * ((i >>> 1) & 3);
                FloatVector s0 = FloatVector.broadcast(F, t[0 + i]), m0 = FloatVector.broadcast(F, t[16 + i]);
                FloatVector s1 = FloatVector.broadcast(F, t[32 + i]), m1 = FloatVector.broadcast(F, t[48 + i]);
                FloatVector s2 = FloatVector.broadcast(F, t[64 + i]), m2 = FloatVector.broadcast(F, t[80 + i]);
                FloatVector s3 = FloatVector.broadcast(F, t[96 + i]), m3 = FloatVector.broadcast(F, t[112 + i]);
                ByteVector q0 = ByteVector.fromMemorySegment(B16, w, b0 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, sh).reinterpretAsBytes()
                        .and((byte) 3);
                ByteVector q1 = ByteVector.fromMemorySegment(B16, w, b1 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, sh).reinterpretAsBytes()
                        .and((byte) 3);
                ByteVector q2 = ByteVector.fromMemorySegment(B16, w, b2 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, sh).reinterpretAsBytes()
                        .and((byte) 3);
                ByteVector q3 = ByteVector.fromMemorySegment(B16, w, b3 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, sh).reinterpretAsBytes()
                        .and((byte) 3);
                for (int k = 0; k < PARTS; k++) {
                    FloatVector v = FloatVector.fromArray(F, x, xo + 16 * i + k * L);
                    a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, k)).fma(s0, m0).fma(v, a0);
                    a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, k)).fma(s1, m1).fma(v, a1);
                    a2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, k)).fma(s2, m2).fma(v, a2);
                    a3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, k)).fma(s3, m3).fma(v, a3);
                }
            }
        }
        Simd.ZERO.add(a0).intoArray(t, p); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(a1).intoArray(t, p + 1 * L);
        Simd.ZERO.add(a2).intoArray(t, p + 2 * L);
        Simd.ZERO.add(a3).intoArray(t, p + 3 * L);
    }

    /** t[p + i] = d·(sc &amp; 15), t[p + 16 + i] = −(dmin·(sc &gt;&gt;&gt; 4)) for the 16 scale bytes sc of the Q2_K super-block at b. */
    private static void scalesQ2_K(MemorySegment w, long b, float[] t, int p) {
        float d = Simd.f16(w, b + 80);
        float dmin = Simd.f16(w, b + 82);
        for (int i = 0; i < 16; i++) {
            int sc = Simd.u8(w, b + i);
            t[p + i] = d * (sc & 0x0F);
            t[p + 16 + i] = -(dmin * (sc >>> 4));
        }
    }

    /**
     * Q3_K ([32 hmask, 64 qs, 12 scale bytes, d]): 16-column chunk i (h = i/8, k = (i/2) mod 4, j = i mod 2)
     * has q = ((qs[32 + 32h + 16j + l] &gt;&gt; 2k) &amp; 3) − 4·(1 − bit (4h + k) of hmask[16j + l]) and scale i:
     * value = fma(q, d·(scale − 32), −0), the expression {@link KQuantRows#decodeQ3_K} stores; chunks in
     * ascending order. Scales staged in t[16r ..] by {@link #scalesQ3_K}.
     */
    static void q3_K(MemorySegment w, long o0, long o1, long o2, long o3, long stride, int nb, float[] x, int xo,
            float[] t, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        FloatVector zero = FloatVector.broadcast(F, -0f); // the decoder's "− min" with min = 0
        for (int b = 0; b < nb; b++, xo += 256) {
            long bo = b * stride;
            long b0 = o0 + bo, b1 = o1 + bo, b2 = o2 + bo, b3 = o3 + bo;
            scalesQ3_K(w, b0, t, 0);
            scalesQ3_K(w, b1, t, 16);
            scalesQ3_K(w, b2, t, 32);
            scalesQ3_K(w, b3, t, 48);
            for (int i = 0; i < 16; i++) {
                int h = i >>> 3, k2 = (i >>> 1) & 3, j = i & 1;
                long q = 32 + 32 * h + 16 * j;
                long m = 16 * j;
                int sh = 2 * k2, hb = 4 * h + k2;
                FloatVector s0 = FloatVector.broadcast(F, t[0 + i]);
                FloatVector s1 = FloatVector.broadcast(F, t[16 + i]);
                FloatVector s2 = FloatVector.broadcast(F, t[32 + i]);
                FloatVector s3 = FloatVector.broadcast(F, t[48 + i]);
                ByteVector q0 = ByteVector.fromMemorySegment(B16, w, b0 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, sh).reinterpretAsBytes()
                        .and((byte) 3).sub(ByteVector.fromMemorySegment(B16, w, b0 + m, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, hb).reinterpretAsBytes()
                        .and((byte) 1).lanewise(VectorOperators.XOR, (byte) 1).reinterpretAsShorts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes());
                ByteVector q1 = ByteVector.fromMemorySegment(B16, w, b1 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, sh).reinterpretAsBytes()
                        .and((byte) 3).sub(ByteVector.fromMemorySegment(B16, w, b1 + m, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, hb).reinterpretAsBytes()
                        .and((byte) 1).lanewise(VectorOperators.XOR, (byte) 1).reinterpretAsShorts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes());
                ByteVector q2 = ByteVector.fromMemorySegment(B16, w, b2 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, sh).reinterpretAsBytes()
                        .and((byte) 3).sub(ByteVector.fromMemorySegment(B16, w, b2 + m, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, hb).reinterpretAsBytes()
                        .and((byte) 1).lanewise(VectorOperators.XOR, (byte) 1).reinterpretAsShorts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes());
                ByteVector q3 = ByteVector.fromMemorySegment(B16, w, b3 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, sh).reinterpretAsBytes()
                        .and((byte) 3).sub(ByteVector.fromMemorySegment(B16, w, b3 + m, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, hb).reinterpretAsBytes()
                        .and((byte) 1).lanewise(VectorOperators.XOR, (byte) 1).reinterpretAsShorts().lanewise(VectorOperators.LSHL, 2).reinterpretAsBytes());
                for (int k = 0; k < PARTS; k++) {
                    FloatVector v = FloatVector.fromArray(F, x, xo + 16 * i + k * L);
                    a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, k)).fma(s0, zero).fma(v, a0);
                    a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, k)).fma(s1, zero).fma(v, a1);
                    a2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, k)).fma(s2, zero).fma(v, a2);
                    a3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, k)).fma(s3, zero).fma(v, a3);
                }
            }
        }
        Simd.ZERO.add(a0).intoArray(t, p); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(a1).intoArray(t, p + 1 * L);
        Simd.ZERO.add(a2).intoArray(t, p + 2 * L);
        Simd.ZERO.add(a3).intoArray(t, p + 3 * L);
    }

    /**
     * t[p + i] = d·(scale(i) − 32) for the 16 six-bit scales of the Q3_K super-block at b: the integers of
     * {@link KQuantRows#scaleQ3} (low 4 bits: nibble i mod 8 of bytes 0..7, the high one for i ≥ 8; high 2 bits:
     * bits 2·(i/4) of byte 8 + i mod 4), unpacked from one 8-byte and one 4-byte read instead of 48 byte reads.
     */
    private static void scalesQ3_K(MemorySegment w, long b, float[] t, int p) {
        float d = Simd.f16(w, b + 108);
        long lo = w.get(Layouts.LONG, b + 96);
        int hi = w.get(Layouts.INT, b + 104);
        for (int i = 0; i < 16; i++) {
            int low = (int) (lo >>> (8 * (i & 7) + 4 * (i >>> 3))) & 0x0F;
            int high = (hi >>> (8 * (i & 3) + 2 * (i >>> 2))) & 3;
            t[p + i] = d * ((low | high << 4) - 32);
        }
    }

    /**
     * t[p + sub] = d·scale(sub), t[p + 8 + sub] = −dmin·min(sub) of the Q4_K super-block at b (the same
     * 6-bit integers as {@link KQuantRows#scale6}/{@link KQuantRows#min6}, hence the same floats as the
     * decoder), unpacked from two 8-byte reads four at a time (bytes of an int) instead of 24 byte reads.
     */
    private static void scalesQ4_K(MemorySegment w, long b, float[] t, int p) {
        long head = w.get(Layouts.LONG, b);
        long tail = w.get(Layouts.LONG, b + 8);
        float d = Float.float16ToFloat((short) head);
        float dmin = Float.float16ToFloat((short) (head >>> 16));
        int lo = (int) (head >>> 32); // scale bytes 0..3
        int mid = (int) tail; // 4..7
        int hi = (int) (tail >>> 32); // 8..11
        int scLo = lo & 0x3F3F3F3F;
        int mnLo = mid & 0x3F3F3F3F;
        int scHi = (hi & 0x0F0F0F0F) | ((lo >>> 6) & 0x03030303) << 4;
        int mnHi = ((hi >>> 4) & 0x0F0F0F0F) | ((mid >>> 6) & 0x03030303) << 4;
        for (int i = 0; i < 4; i++) {
            int sh = 8 * i;
            t[p + i] = d * ((scLo >>> sh) & 0xFF);
            t[p + 4 + i] = d * ((scHi >>> sh) & 0xFF);
            t[p + 8 + i] = -(dmin * ((mnLo >>> sh) & 0xFF));
            t[p + 12 + i] = -(dmin * ((mnHi >>> sh) & 0xFF));
        }
    }

    /**
     * Q6_K: 16-value chunk i (elements 16·i ..) has half h = i/8, quarter m = (i/2) mod 4, j = i mod 2: low
     * 4 bits from ql at 64h + 32(m mod 2) + 16j (nibble m/2), high 2 bits from qh at 128 + 32h + 16j (bits
     * 2m), scale byte i; value = (q − 32)·(d·scale), which equals the decoder's fma with −0.
     */
    static void q6_K(MemorySegment w, long o0, long o1, long o2, long o3, long stride, int nb, float[] x, int xo,
            float[] t, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 256) {
            long bo = b * stride;
            long b0 = o0 + bo, b1 = o1 + bo, b2 = o2 + bo, b3 = o3 + bo;
            scalesQ6_K(w, b0, t, 0);
            scalesQ6_K(w, b1, t, 16);
            scalesQ6_K(w, b2, t, 32);
            scalesQ6_K(w, b3, t, 48);
            for (int i = 0; i < 16; i++) {
                int h = i >> 3;
                int m = (i >> 1) & 3;
                int j = i & 1;
                long ql = 64 * h + 32 * (m & 1) + 16 * j;
                int lowShift = 4 * (m >> 1);
                long qh = 128 + 32 * h + 16 * j;
                int highShift = 2 * m;
                FloatVector s0 = FloatVector.broadcast(F, t[0 + i]);
                ByteVector q0 = ByteVector.fromMemorySegment(B16, w, b0 + ql, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, lowShift).reinterpretAsBytes().and((byte) 0x0F)
                        .or(ByteVector.fromMemorySegment(B16, w, b0 + qh, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, highShift).reinterpretAsBytes().and((byte) 3)
                                .reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes())
                        .sub((byte) 32);
                FloatVector s1 = FloatVector.broadcast(F, t[16 + i]);
                ByteVector q1 = ByteVector.fromMemorySegment(B16, w, b1 + ql, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, lowShift).reinterpretAsBytes().and((byte) 0x0F)
                        .or(ByteVector.fromMemorySegment(B16, w, b1 + qh, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, highShift).reinterpretAsBytes().and((byte) 3)
                                .reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes())
                        .sub((byte) 32);
                FloatVector s2 = FloatVector.broadcast(F, t[32 + i]);
                ByteVector q2 = ByteVector.fromMemorySegment(B16, w, b2 + ql, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, lowShift).reinterpretAsBytes().and((byte) 0x0F)
                        .or(ByteVector.fromMemorySegment(B16, w, b2 + qh, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, highShift).reinterpretAsBytes().and((byte) 3)
                                .reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes())
                        .sub((byte) 32);
                FloatVector s3 = FloatVector.broadcast(F, t[48 + i]);
                ByteVector q3 = ByteVector.fromMemorySegment(B16, w, b3 + ql, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, lowShift).reinterpretAsBytes().and((byte) 0x0F)
                        .or(ByteVector.fromMemorySegment(B16, w, b3 + qh, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, highShift).reinterpretAsBytes().and((byte) 3)
                                .reinterpretAsShorts().lanewise(VectorOperators.LSHL, 4).reinterpretAsBytes())
                        .sub((byte) 32);
                int xq = xo + 16 * i;
                for (int k = 0; k < PARTS; k++) {
                    FloatVector v = FloatVector.fromArray(F, x, xq + k * L);
                    a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, k)).mul(s0).fma(v, a0);
                    a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, k)).mul(s1).fma(v, a1);
                    a2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, k)).mul(s2).fma(v, a2);
                    a3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, k)).mul(s3).fma(v, a3);
                }
            }
        }
        a0.intoArray(t, p);
        a1.intoArray(t, p + L);
        a2.intoArray(t, p + 2 * L);
        a3.intoArray(t, p + 3 * L);
    }

    /** t[p + i] = d·scale(i), i < 16, of the Q6_K super-block at b (as the decoder). */
    private static void scalesQ6_K(MemorySegment w, long b, float[] t, int p) {
        float d = f16(w, b + 208);
        for (int i = 0; i < 16; i++) {
            t[p + i] = d * w.get(Layouts.BYTE, b + 192 + i);
        }
    }
}
