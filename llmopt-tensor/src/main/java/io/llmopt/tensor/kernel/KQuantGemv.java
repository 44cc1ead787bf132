package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.PARTS;
import static io.llmopt.tensor.kernel.Simd.f16;
import static io.llmopt.tensor.kernel.Simd.B16;
import static io.llmopt.tensor.kernel.Simd.LE;

import io.llmopt.tensor.GgmlType;
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
}
