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
    private static final int Q4_K = GgmlType.Q4_K.blockBytes();
    private static final int Q6_K = GgmlType.Q6_K.blockBytes();

    private KQuantGemv() {
    }

    /**
     * Q4_K: sub-block sub (32 values) is the low (sub even) or high (sub odd) nibbles of bytes 32·(sub/2) ..;
     * its scale and negated minimum come from t (staged by {@link #scalesQ4_K}, so the big loop holds no
     * scalar segment reads: they made C2 hit its node cutoff).
     */
    static void q4_K(MemorySegment w, long o0, long o1, long o2, long o3, int nb, float[] x, int xo,
            float[] t, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 256) {
            long bo = (long) b * Q4_K;
            long b0 = o0 + bo, b1 = o1 + bo, b2 = o2 + bo, b3 = o3 + bo;
            scalesQ4_K(w, b0, t, 0);
            scalesQ4_K(w, b1, t, 16);
            scalesQ4_K(w, b2, t, 32);
            scalesQ4_K(w, b3, t, 48);
            for (int sub = 0; sub < 8; sub++) {
                int shift = 4 * (sub & 1);
                FloatVector s0 = FloatVector.broadcast(F, t[sub]), m0 = FloatVector.broadcast(F, t[8 + sub]);
                FloatVector s1 = FloatVector.broadcast(F, t[16 + sub]), m1 = FloatVector.broadcast(F, t[24 + sub]);
                FloatVector s2 = FloatVector.broadcast(F, t[32 + sub]), m2 = FloatVector.broadcast(F, t[40 + sub]);
                FloatVector s3 = FloatVector.broadcast(F, t[48 + sub]), m3 = FloatVector.broadcast(F, t[56 + sub]);
                for (int j = 0; j < 2; j++) {
                    long q = 16 + 32 * (sub >> 1) + 16 * j;
                    ByteVector q0 = ByteVector.fromMemorySegment(B16, w, b0 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, shift).reinterpretAsBytes().and((byte) 0x0F);
                    ByteVector q1 = ByteVector.fromMemorySegment(B16, w, b1 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, shift).reinterpretAsBytes().and((byte) 0x0F);
                    ByteVector q2 = ByteVector.fromMemorySegment(B16, w, b2 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, shift).reinterpretAsBytes().and((byte) 0x0F);
                    ByteVector q3 = ByteVector.fromMemorySegment(B16, w, b3 + q, LE).reinterpretAsShorts().lanewise(VectorOperators.LSHR, shift).reinterpretAsBytes().and((byte) 0x0F);
                    int xq = xo + 32 * sub + 16 * j;
                    for (int k = 0; k < PARTS; k++) {
                        FloatVector v = FloatVector.fromArray(F, x, xq + k * L);
                        a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, k)).fma(s0, m0).fma(v, a0);
                        a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, k)).fma(s1, m1).fma(v, a1);
                        a2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, k)).fma(s2, m2).fma(v, a2);
                        a3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, k)).fma(s3, m3).fma(v, a3);
                    }
                }
            }
        }
        a0.intoArray(t, p);
        a1.intoArray(t, p + L);
        a2.intoArray(t, p + 2 * L);
        a3.intoArray(t, p + 3 * L);
    }

    /** t[p + sub] = d·scale(sub), t[p + 8 + sub] = −dmin·min(sub) of the Q4_K super-block at b (as the decoder). */
    private static void scalesQ4_K(MemorySegment w, long b, float[] t, int p) {
        float d = f16(w, b);
        float dmin = f16(w, b + 2);
        for (int sub = 0; sub < 8; sub++) {
            t[p + sub] = d * KQuantRows.scale6(w, b + 4, sub);
            t[p + 8 + sub] = -(dmin * KQuantRows.min6(w, b + 4, sub));
        }
    }

    /**
     * Q6_K: 16-value chunk i (elements 16·i ..) has half h = i/8, quarter m = (i/2) mod 4, j = i mod 2: low
     * 4 bits from ql at 64h + 32(m mod 2) + 16j (nibble m/2), high 2 bits from qh at 128 + 32h + 16j (bits
     * 2m), scale byte i; value = (q − 32)·(d·scale), which equals the decoder's fma with −0.
     */
    static void q6_K(MemorySegment w, long o0, long o1, long o2, long o3, int nb, float[] x, int xo,
            float[] t, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 256) {
            long bo = (long) b * Q6_K;
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
