package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The attention inner loops over many cached rows, with the bits of the one-row kernels they replace:
 * {@link #dots} gives every row the exact operations of {@link RowKernels#dot} (four accumulators, the same
 * pairing, the fixed butterfly, the scalar tail) but runs two rows at a time on one load of the query, and
 * {@link #axpys} gives every lane of y the exact sequence of {@link VectorKernels#axpy} calls row after row
 * but keeps y in registers across the rows instead of storing and reloading it for every row (that
 * store-to-load chain bounded prefill attention).
 */
final class AttentionRows {
    private AttentionRows() {
    }

    /** out[oo + i] = dot(q[qo ..], k[ko + i·stride ..]) over n floats, for i &lt; count. */
    static void dots(float[] q, int qo, float[] k, int ko, int stride, int count, int n, float[] out, int oo) {
        int i = 0;
        for (; i + 1 < count; i += 2) {
            int ka = ko + i * stride, kb = ka + stride;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            int j = 0;
            for (int bound = n - 4 * L; j <= bound; j += 4 * L) {
                FloatVector q0 = FloatVector.fromArray(F, q, qo + j);
                FloatVector q1 = FloatVector.fromArray(F, q, qo + j + L);
                FloatVector q2 = FloatVector.fromArray(F, q, qo + j + 2 * L);
                FloatVector q3 = FloatVector.fromArray(F, q, qo + j + 3 * L);
                a0 = q0.fma(FloatVector.fromArray(F, k, ka + j), a0);
                a1 = q1.fma(FloatVector.fromArray(F, k, ka + j + L), a1);
                a2 = q2.fma(FloatVector.fromArray(F, k, ka + j + 2 * L), a2);
                a3 = q3.fma(FloatVector.fromArray(F, k, ka + j + 3 * L), a3);
                b0 = q0.fma(FloatVector.fromArray(F, k, kb + j), b0);
                b1 = q1.fma(FloatVector.fromArray(F, k, kb + j + L), b1);
                b2 = q2.fma(FloatVector.fromArray(F, k, kb + j + 2 * L), b2);
                b3 = q3.fma(FloatVector.fromArray(F, k, kb + j + 3 * L), b3);
            }
            for (int bound = n - L; j <= bound; j += L) {
                FloatVector q0 = FloatVector.fromArray(F, q, qo + j);
                a0 = q0.fma(FloatVector.fromArray(F, k, ka + j), a0);
                b0 = q0.fma(FloatVector.fromArray(F, k, kb + j), b0);
            }
            FloatVector va = a0.add(a1).add(a2.add(a3));
            FloatVector vb = b0.add(b1).add(b2.add(b3));
            if (L >= 16) {
                va = va.lanewise(VectorOperators.ADD, va.rearrange(Simd.SWAP8));
                vb = vb.lanewise(VectorOperators.ADD, vb.rearrange(Simd.SWAP8));
            }
            if (L >= 8) {
                va = va.lanewise(VectorOperators.ADD, va.rearrange(Simd.SWAP4));
                vb = vb.lanewise(VectorOperators.ADD, vb.rearrange(Simd.SWAP4));
            }
            va = va.lanewise(VectorOperators.ADD, va.rearrange(Simd.SWAP2));
            vb = vb.lanewise(VectorOperators.ADD, vb.rearrange(Simd.SWAP2));
            va = va.lanewise(VectorOperators.ADD, va.rearrange(Simd.SWAP1));
            vb = vb.lanewise(VectorOperators.ADD, vb.rearrange(Simd.SWAP1));
            float sa = va.lane(0), sb = vb.lane(0);
            for (; j < n; j++) {
                sa += q[qo + j] * k[ka + j];
                sb += q[qo + j] * k[kb + j];
            }
            out[oo + i] = sa;
            out[oo + i + 1] = sb;
        }
        if (i < count) {
            out[oo + i] = RowKernels.dot(q, qo, k, ko + i * stride, n);
        }
    }

    /** For i = 0, 1, … &lt; count in order: y[yo ..] += alpha[ao + i]·x[xo + i·stride ..] over n floats. */
    static void axpys(float[] alpha, int ao, float[] x, int xo, int stride, int count, float[] y, int yo, int n) {
        int j = 0;
        for (int bound = n - 4 * L; j <= bound; j += 4 * L) {
            FloatVector y0 = FloatVector.fromArray(F, y, yo + j);
            FloatVector y1 = FloatVector.fromArray(F, y, yo + j + L);
            FloatVector y2 = FloatVector.fromArray(F, y, yo + j + 2 * L);
            FloatVector y3 = FloatVector.fromArray(F, y, yo + j + 3 * L);
            for (int i = 0; i < count; i++) {
                FloatVector va = FloatVector.broadcast(F, alpha[ao + i]);
                int xi = xo + i * stride + j;
                y0 = FloatVector.fromArray(F, x, xi).fma(va, y0);
                y1 = FloatVector.fromArray(F, x, xi + L).fma(va, y1);
                y2 = FloatVector.fromArray(F, x, xi + 2 * L).fma(va, y2);
                y3 = FloatVector.fromArray(F, x, xi + 3 * L).fma(va, y3);
            }
            y0.intoArray(y, yo + j);
            y1.intoArray(y, yo + j + L);
            y2.intoArray(y, yo + j + 2 * L);
            y3.intoArray(y, yo + j + 3 * L);
        }
        for (int bound = n - L; j <= bound; j += L) {
            FloatVector y0 = FloatVector.fromArray(F, y, yo + j);
            for (int i = 0; i < count; i++) {
                y0 = FloatVector.fromArray(F, x, xo + i * stride + j).fma(FloatVector.broadcast(F, alpha[ao + i]), y0);
            }
            y0.intoArray(y, yo + j);
        }
        for (; j < n; j++) {
            float s = y[yo + j];
            for (int i = 0; i < count; i++) {
                s += alpha[ao + i] * x[xo + i * stride + j];
            }
            y[yo + j] = s;
        }
    }
}
