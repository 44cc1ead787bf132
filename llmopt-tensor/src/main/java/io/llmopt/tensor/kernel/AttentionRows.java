package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;

/**
 * The attention inner loops over many cached rows, with the bits of the one-row kernels they replace:
 * {@link #dots} gives every row the exact operations of {@link RowKernels#dot} (four accumulators, the same
 * pairing, the fixed butterfly, the scalar tail) but runs two rows at a time on one load of the query, and
 * {@link #axpys} gives every lane of y the exact sequence of {@link VectorKernels#axpy} calls row after row
 * but keeps y in registers across the rows instead of storing and reloading it for every row (that
 * store-to-load chain bounded prefill attention); {@link #axpys2} does two queries' axpys at once.
 */
final class AttentionRows {
    /** Lanes whose bit s is set, s = 8, 4, 2, 1: where {@code combine(a, b, s)} keeps b's rows. */
    private static final VectorMask<Float> HI8 = lanesWithBit(8), HI4 = lanesWithBit(4), HI2 = lanesWithBit(2), HI1 = lanesWithBit(1);
    /** The butterfly's first and second steps: lane distance L/2, then L/4. */
    private static final VectorShuffle<Float> SWAP_A = L >= 16 ? Simd.SWAP8 : L >= 8 ? Simd.SWAP4 : Simd.SWAP2,
            SWAP_B = L >= 16 ? Simd.SWAP4 : L >= 8 ? Simd.SWAP2 : Simd.SWAP1;
    private static final VectorMask<Float> HI_A = L >= 16 ? HI8 : L >= 8 ? HI4 : HI2, HI_B = L >= 16 ? HI4 : L >= 8 ? HI2 : HI1;
    /** Lane r ← the lane of a reduced block that holds row r. */
    private static final VectorShuffle<Float> ROWS = rowOrder();
    /** Per thread: the L/4 partly reduced vectors of a block, for two queries. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[L * L / 2]);

    private AttentionRows() {
    }

    /**
     * out[oo + i] = dot(q[qo ..], k[ko + i·stride ..]) over n floats, for i &lt; count.
     *
     * <p>Rows go L at a time: each row's four accumulators are added as in {@link RowKernels#dot}, then the L
     * vectors are reduced together by the same butterfly, transposed. A step of distance s adds lane i and lane
     * i xor s of each row, as the one-row butterfly does, but takes two rows' vectors a and b and keeps a's
     * sums in the lanes whose bit s is clear and b's where it is set (two blends, one permutation, one add for
     * two rows instead of a permutation and an add for each): after the log₂ L steps every lane holds a
     * different row's sum, with the bits of the one-row butterfly, whose lanes all end equal (each step
     * adds the same two numbers in both lanes of a pair, and IEEE addition commutes; NaN payloads aside).
     * Only head sizes of 4L and 8L floats take the blocks ({@link #block4}, {@link #block8}: straight-line fmas, the
     * query in registers; a loop over the row's vectors kept them as slow as the two-row loop). Measured on one Zen 5
     * core, 256 rows of 64 floats (2026-11-24): 3.9 → 2.1–2.3 ns per row.
     */
    static void dots(float[] q, int qo, float[] k, int ko, int stride, int count, int n, float[] out, int oo) {
        int i = 0;
        if (count >= L && (n == 4 * L || n == 8 * L)) {
            float[] red = SCRATCH.get();
            for (; i + L <= count; i += L) {
                if (n == 4 * L) {
                    block4(q, qo, k, ko + i * stride, stride, out, oo + i, red);
                } else {
                    block8(q, qo, k, ko + i * stride, stride, out, oo + i, red);
                }
            }
        }
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

    /**
     * dots(qA, …, outA) and dots(qB, …, outB) over the same rows of k: the bits of those two calls. For head sizes of
     * 4L and 8L floats the blocks load each row once for both queries ({@link #block4x2}, {@link #block8x2}).
     */
    static void dots2(float[] q, int qoA, int qoB, float[] k, int ko, int stride, int count, int n, float[] out, int ooA, int ooB) {
        int i = 0;
        if (count >= L && (n == 4 * L || n == 8 * L)) {
            float[] red = SCRATCH.get();
            for (; i + L <= count; i += L) {
                if (n == 4 * L) {
                    block4x2(q, qoA, qoB, k, ko + i * stride, stride, out, ooA + i, ooB + i, red);
                } else {
                    block8x2(q, qoA, qoB, k, ko + i * stride, stride, out, ooA + i, ooB + i, red);
                }
            }
        }
        if (i < count) {
            dots(q, qoA, k, ko + i * stride, stride, count - i, n, out, ooA + i);
            dots(q, qoB, k, ko + i * stride, stride, count - i, n, out, ooB + i);
        }
    }

    /**
     * {@link #axpys} for two outputs over the same count of rows: yA[yoA ..] += alpha[aoA + i]·x[xoA + i·stride ..]
     * and yB[yoB ..] += alpha[aoB + i]·x[xoB + i·stride ..], i = 0, 1, … in order, with the bits of two axpys
     * calls. Two queries' sums in flight at once: one query's four vectors of 64 floats are four chains of
     * dependent fmas, which keep a core waiting on the fma latency; eight chains hide it.
     */
    static void axpys2(float[] alpha, int aoA, int aoB, float[] x, int xoA, int xoB, int stride, int count, float[] y, int yoA, int yoB, int n) {
        int j = 0;
        if (xoA == xoB) { // the same rows (two query heads of one kv head): each vector of x loaded once for both
            for (int bound = n - 4 * L; j <= bound; j += 4 * L) {
                FloatVector a0 = FloatVector.fromArray(F, y, yoA + j);
                FloatVector a1 = FloatVector.fromArray(F, y, yoA + j + L);
                FloatVector a2 = FloatVector.fromArray(F, y, yoA + j + 2 * L);
                FloatVector a3 = FloatVector.fromArray(F, y, yoA + j + 3 * L);
                FloatVector b0 = FloatVector.fromArray(F, y, yoB + j);
                FloatVector b1 = FloatVector.fromArray(F, y, yoB + j + L);
                FloatVector b2 = FloatVector.fromArray(F, y, yoB + j + 2 * L);
                FloatVector b3 = FloatVector.fromArray(F, y, yoB + j + 3 * L);
                for (int i = 0; i < count; i++) {
                    FloatVector va = FloatVector.broadcast(F, alpha[aoA + i]);
                    FloatVector vb = FloatVector.broadcast(F, alpha[aoB + i]);
                    int xi = xoA + i * stride + j;
                    FloatVector x0 = FloatVector.fromArray(F, x, xi), x1 = FloatVector.fromArray(F, x, xi + L);
                    FloatVector x2 = FloatVector.fromArray(F, x, xi + 2 * L), x3 = FloatVector.fromArray(F, x, xi + 3 * L);
                    a0 = x0.fma(va, a0);
                    a1 = x1.fma(va, a1);
                    a2 = x2.fma(va, a2);
                    a3 = x3.fma(va, a3);
                    b0 = x0.fma(vb, b0);
                    b1 = x1.fma(vb, b1);
                    b2 = x2.fma(vb, b2);
                    b3 = x3.fma(vb, b3);
                }
                a0.intoArray(y, yoA + j);
                a1.intoArray(y, yoA + j + L);
                a2.intoArray(y, yoA + j + 2 * L);
                a3.intoArray(y, yoA + j + 3 * L);
                b0.intoArray(y, yoB + j);
                b1.intoArray(y, yoB + j + L);
                b2.intoArray(y, yoB + j + 2 * L);
                b3.intoArray(y, yoB + j + 3 * L);
            }
        }
        for (int bound = n - 4 * L; j <= bound; j += 4 * L) {
            FloatVector a0 = FloatVector.fromArray(F, y, yoA + j);
            FloatVector a1 = FloatVector.fromArray(F, y, yoA + j + L);
            FloatVector a2 = FloatVector.fromArray(F, y, yoA + j + 2 * L);
            FloatVector a3 = FloatVector.fromArray(F, y, yoA + j + 3 * L);
            FloatVector b0 = FloatVector.fromArray(F, y, yoB + j);
            FloatVector b1 = FloatVector.fromArray(F, y, yoB + j + L);
            FloatVector b2 = FloatVector.fromArray(F, y, yoB + j + 2 * L);
            FloatVector b3 = FloatVector.fromArray(F, y, yoB + j + 3 * L);
            for (int i = 0; i < count; i++) {
                FloatVector va = FloatVector.broadcast(F, alpha[aoA + i]);
                FloatVector vb = FloatVector.broadcast(F, alpha[aoB + i]);
                int xa = xoA + i * stride + j, xb = xoB + i * stride + j;
                a0 = FloatVector.fromArray(F, x, xa).fma(va, a0);
                a1 = FloatVector.fromArray(F, x, xa + L).fma(va, a1);
                a2 = FloatVector.fromArray(F, x, xa + 2 * L).fma(va, a2);
                a3 = FloatVector.fromArray(F, x, xa + 3 * L).fma(va, a3);
                b0 = FloatVector.fromArray(F, x, xb).fma(vb, b0);
                b1 = FloatVector.fromArray(F, x, xb + L).fma(vb, b1);
                b2 = FloatVector.fromArray(F, x, xb + 2 * L).fma(vb, b2);
                b3 = FloatVector.fromArray(F, x, xb + 3 * L).fma(vb, b3);
            }
            a0.intoArray(y, yoA + j);
            a1.intoArray(y, yoA + j + L);
            a2.intoArray(y, yoA + j + 2 * L);
            a3.intoArray(y, yoA + j + 3 * L);
            b0.intoArray(y, yoB + j);
            b1.intoArray(y, yoB + j + L);
            b2.intoArray(y, yoB + j + 2 * L);
            b3.intoArray(y, yoB + j + 3 * L);
        }
        for (int bound = n - L; j <= bound; j += L) {
            FloatVector a0 = FloatVector.fromArray(F, y, yoA + j);
            FloatVector b0 = FloatVector.fromArray(F, y, yoB + j);
            for (int i = 0; i < count; i++) {
                a0 = FloatVector.fromArray(F, x, xoA + i * stride + j).fma(FloatVector.broadcast(F, alpha[aoA + i]), a0);
                b0 = FloatVector.fromArray(F, x, xoB + i * stride + j).fma(FloatVector.broadcast(F, alpha[aoB + i]), b0);
            }
            a0.intoArray(y, yoA + j);
            b0.intoArray(y, yoB + j);
        }
        for (; j < n; j++) {
            float sa = y[yoA + j], sb = y[yoB + j];
            for (int i = 0; i < count; i++) {
                sa += alpha[aoA + i] * x[xoA + i * stride + j];
                sb += alpha[aoB + i] * x[xoB + i * stride + j];
            }
            y[yoA + j] = sa;
            y[yoB + j] = sb;
        }
    }

    /**
     * {@link Kernels#axpysHeads}: four heads at a time over the same rows ({@link #axpys4}: each row vector loaded once
     * for four sums, sixteen chains of fmas in flight), then a pair ({@link #axpys2}), then one ({@link #axpys}).
     */
    static void axpysHeads(float[] alpha, int ao, int as, int heads, float[] x, int xo, int stride, int count, float[] y, int yo,
            int ys, int n) {
        int h = 0;
        for (; h + 4 <= heads; h += 4) {
            axpys4(alpha, ao + h * as, as, x, xo, stride, count, y, yo + h * ys, ys, n);
        }
        if (h + 2 <= heads) {
            axpys2(alpha, ao + h * as, ao + (h + 1) * as, x, xo, xo, stride, count, y, yo + h * ys, yo + (h + 1) * ys, n);
            h += 2;
        }
        if (h < heads) {
            axpys(alpha, ao + h * as, x, xo, stride, count, y, yo + h * ys, n);
        }
    }

    /**
     * Four {@link #axpys} over the same rows, weights at alpha[ao + h·as ..] and outputs at y[yo + h·ys ..], h &lt; 4:
     * the bits of those calls. One Zen 5 core, 64 rows of 64 floats in L1: 0.88 ns per row and head for pairs, 0.57
     * for fours (a throwaway harness, 2026-11-24).
     */
    private static void axpys4(float[] alpha, int ao, int as, float[] x, int xo, int stride, int count, float[] y, int yo, int ys, int n) {
        int j = 0, ya = yo, yb = yo + ys, yc = yo + 2 * ys, yd = yo + 3 * ys, aa = ao, ab = ao + as, ac = ao + 2 * as, ad = ao + 3 * as;
        for (int bound = n - 4 * L; j <= bound; j += 4 * L) {
            FloatVector a0 = FloatVector.fromArray(F, y, ya + j), a1 = FloatVector.fromArray(F, y, ya + j + L);
            FloatVector a2 = FloatVector.fromArray(F, y, ya + j + 2 * L), a3 = FloatVector.fromArray(F, y, ya + j + 3 * L);
            FloatVector b0 = FloatVector.fromArray(F, y, yb + j), b1 = FloatVector.fromArray(F, y, yb + j + L);
            FloatVector b2 = FloatVector.fromArray(F, y, yb + j + 2 * L), b3 = FloatVector.fromArray(F, y, yb + j + 3 * L);
            FloatVector c0 = FloatVector.fromArray(F, y, yc + j), c1 = FloatVector.fromArray(F, y, yc + j + L);
            FloatVector c2 = FloatVector.fromArray(F, y, yc + j + 2 * L), c3 = FloatVector.fromArray(F, y, yc + j + 3 * L);
            FloatVector d0 = FloatVector.fromArray(F, y, yd + j), d1 = FloatVector.fromArray(F, y, yd + j + L);
            FloatVector d2 = FloatVector.fromArray(F, y, yd + j + 2 * L), d3 = FloatVector.fromArray(F, y, yd + j + 3 * L);
            for (int i = 0; i < count; i++) {
                int xi = xo + i * stride + j;
                FloatVector x0 = FloatVector.fromArray(F, x, xi), x1 = FloatVector.fromArray(F, x, xi + L);
                FloatVector x2 = FloatVector.fromArray(F, x, xi + 2 * L), x3 = FloatVector.fromArray(F, x, xi + 3 * L);
                FloatVector va = FloatVector.broadcast(F, alpha[aa + i]), vb = FloatVector.broadcast(F, alpha[ab + i]);
                FloatVector vc = FloatVector.broadcast(F, alpha[ac + i]), vd = FloatVector.broadcast(F, alpha[ad + i]);
                a0 = x0.fma(va, a0);
                a1 = x1.fma(va, a1);
                a2 = x2.fma(va, a2);
                a3 = x3.fma(va, a3);
                b0 = x0.fma(vb, b0);
                b1 = x1.fma(vb, b1);
                b2 = x2.fma(vb, b2);
                b3 = x3.fma(vb, b3);
                c0 = x0.fma(vc, c0);
                c1 = x1.fma(vc, c1);
                c2 = x2.fma(vc, c2);
                c3 = x3.fma(vc, c3);
                d0 = x0.fma(vd, d0);
                d1 = x1.fma(vd, d1);
                d2 = x2.fma(vd, d2);
                d3 = x3.fma(vd, d3);
            }
            a0.intoArray(y, ya + j);
            a1.intoArray(y, ya + j + L);
            a2.intoArray(y, ya + j + 2 * L);
            a3.intoArray(y, ya + j + 3 * L);
            b0.intoArray(y, yb + j);
            b1.intoArray(y, yb + j + L);
            b2.intoArray(y, yb + j + 2 * L);
            b3.intoArray(y, yb + j + 3 * L);
            c0.intoArray(y, yc + j);
            c1.intoArray(y, yc + j + L);
            c2.intoArray(y, yc + j + 2 * L);
            c3.intoArray(y, yc + j + 3 * L);
            d0.intoArray(y, yd + j);
            d1.intoArray(y, yd + j + L);
            d2.intoArray(y, yd + j + 2 * L);
            d3.intoArray(y, yd + j + 3 * L);
        }
        for (int bound = n - L; j <= bound; j += L) {
            FloatVector a0 = FloatVector.fromArray(F, y, ya + j), b0 = FloatVector.fromArray(F, y, yb + j);
            FloatVector c0 = FloatVector.fromArray(F, y, yc + j), d0 = FloatVector.fromArray(F, y, yd + j);
            for (int i = 0; i < count; i++) {
                FloatVector x0 = FloatVector.fromArray(F, x, xo + i * stride + j);
                a0 = x0.fma(FloatVector.broadcast(F, alpha[aa + i]), a0);
                b0 = x0.fma(FloatVector.broadcast(F, alpha[ab + i]), b0);
                c0 = x0.fma(FloatVector.broadcast(F, alpha[ac + i]), c0);
                d0 = x0.fma(FloatVector.broadcast(F, alpha[ad + i]), d0);
            }
            a0.intoArray(y, ya + j);
            b0.intoArray(y, yb + j);
            c0.intoArray(y, yc + j);
            d0.intoArray(y, yd + j);
        }
        for (; j < n; j++) {
            float sa = y[ya + j], sb = y[yb + j], sc = y[yc + j], sd = y[yd + j];
            for (int i = 0; i < count; i++) {
                float xi = x[xo + i * stride + j];
                sa += alpha[aa + i] * xi;
                sb += alpha[ab + i] * xi;
                sc += alpha[ac + i] * xi;
                sd += alpha[ad + i] * xi;
            }
            y[ya + j] = sa;
            y[yb + j] = sb;
            y[yc + j] = sc;
            y[yd + j] = sd;
        }
    }

    /** out[o + r] = dot(q[qo ..], k[kr + r·stride ..]) over 4L floats, for the L rows r of one block: each accumulator gets one fma, as in RowKernels.dot. */
    private static void block4(float[] q, int qo, float[] k, int kr, int stride, float[] out, int o, float[] red) {
        FloatVector q0 = FloatVector.fromArray(F, q, qo), q1 = FloatVector.fromArray(F, q, qo + L);
        FloatVector q2 = FloatVector.fromArray(F, q, qo + 2 * L), q3 = FloatVector.fromArray(F, q, qo + 3 * L);
        FloatVector z = FloatVector.zero(F);
        for (int g = 0; g < L / 4; g++) {
            int ka = kr + 4 * g * stride, kb = ka + stride, kc = kb + stride, kd = kc + stride;
            FloatVector a0 = q0.fma(FloatVector.fromArray(F, k, ka), z);
            FloatVector a1 = q1.fma(FloatVector.fromArray(F, k, ka + L), z);
            FloatVector a2 = q2.fma(FloatVector.fromArray(F, k, ka + 2 * L), z);
            FloatVector a3 = q3.fma(FloatVector.fromArray(F, k, ka + 3 * L), z);
            FloatVector b0 = q0.fma(FloatVector.fromArray(F, k, kb), z);
            FloatVector b1 = q1.fma(FloatVector.fromArray(F, k, kb + L), z);
            FloatVector b2 = q2.fma(FloatVector.fromArray(F, k, kb + 2 * L), z);
            FloatVector b3 = q3.fma(FloatVector.fromArray(F, k, kb + 3 * L), z);
            FloatVector c0 = q0.fma(FloatVector.fromArray(F, k, kc), z);
            FloatVector c1 = q1.fma(FloatVector.fromArray(F, k, kc + L), z);
            FloatVector c2 = q2.fma(FloatVector.fromArray(F, k, kc + 2 * L), z);
            FloatVector c3 = q3.fma(FloatVector.fromArray(F, k, kc + 3 * L), z);
            FloatVector d0 = q0.fma(FloatVector.fromArray(F, k, kd), z);
            FloatVector d1 = q1.fma(FloatVector.fromArray(F, k, kd + L), z);
            FloatVector d2 = q2.fma(FloatVector.fromArray(F, k, kd + 2 * L), z);
            FloatVector d3 = q3.fma(FloatVector.fromArray(F, k, kd + 3 * L), z);
            // (a0 + a1) + (a2 + a3) per row, as RowKernels.dot; then the butterfly's first two steps for four rows
            FloatVector va = a0.lanewise(VectorOperators.ADD, a1).lanewise(VectorOperators.ADD, a2.lanewise(VectorOperators.ADD, a3));
            FloatVector vb = b0.lanewise(VectorOperators.ADD, b1).lanewise(VectorOperators.ADD, b2.lanewise(VectorOperators.ADD, b3));
            FloatVector vc = c0.lanewise(VectorOperators.ADD, c1).lanewise(VectorOperators.ADD, c2.lanewise(VectorOperators.ADD, c3));
            FloatVector vd = d0.lanewise(VectorOperators.ADD, d1).lanewise(VectorOperators.ADD, d2.lanewise(VectorOperators.ADD, d3));
            FloatVector u0 = va.blend(vb, HI_A).lanewise(VectorOperators.ADD, vb.blend(va, HI_A).rearrange(SWAP_A));
            FloatVector u1 = vc.blend(vd, HI_A).lanewise(VectorOperators.ADD, vd.blend(vc, HI_A).rearrange(SWAP_A));
            u0.blend(u1, HI_B).lanewise(VectorOperators.ADD, u1.blend(u0, HI_B).rearrange(SWAP_B)).intoArray(red, g * L);
        }
        finish(red, 0, out, o);
    }


    /**
     * {@link #block4} for two queries (qA at qoA, qB at qoB) over the same L rows: each row's four vectors are
     * loaded once for both; per row and query, (q0·k0 + q1·k1) + (q2·k2 + q3·k3), each product an fma on zero, as
     * block4's accumulators.
     */
    private static void block4x2(float[] q, int qoA, int qoB, float[] k, int kr, int stride, float[] out, int oA, int oB, float[] red) {
        FloatVector a0 = FloatVector.fromArray(F, q, qoA), a1 = FloatVector.fromArray(F, q, qoA + L);
        FloatVector a2 = FloatVector.fromArray(F, q, qoA + 2 * L), a3 = FloatVector.fromArray(F, q, qoA + 3 * L);
        FloatVector b0 = FloatVector.fromArray(F, q, qoB), b1 = FloatVector.fromArray(F, q, qoB + L);
        FloatVector b2 = FloatVector.fromArray(F, q, qoB + 2 * L), b3 = FloatVector.fromArray(F, q, qoB + 3 * L);
        FloatVector z = FloatVector.zero(F);
        int half = L * L / 4;
        for (int g = 0; g < L / 4; g++) {
            int ka = kr + 4 * g * stride, kb = ka + stride, kc = kb + stride, kd = kc + stride;
            FloatVector k0 = FloatVector.fromArray(F, k, ka), k1 = FloatVector.fromArray(F, k, ka + L);
            FloatVector k2 = FloatVector.fromArray(F, k, ka + 2 * L), k3 = FloatVector.fromArray(F, k, ka + 3 * L);
            FloatVector aA = a0.fma(k0, z).lanewise(VectorOperators.ADD, a1.fma(k1, z)).lanewise(VectorOperators.ADD, a2.fma(k2, z).lanewise(VectorOperators.ADD, a3.fma(k3, z)));
            FloatVector aB = b0.fma(k0, z).lanewise(VectorOperators.ADD, b1.fma(k1, z)).lanewise(VectorOperators.ADD, b2.fma(k2, z).lanewise(VectorOperators.ADD, b3.fma(k3, z)));
            k0 = FloatVector.fromArray(F, k, kb);
            k1 = FloatVector.fromArray(F, k, kb + L);
            k2 = FloatVector.fromArray(F, k, kb + 2 * L);
            k3 = FloatVector.fromArray(F, k, kb + 3 * L);
            FloatVector bA = a0.fma(k0, z).lanewise(VectorOperators.ADD, a1.fma(k1, z)).lanewise(VectorOperators.ADD, a2.fma(k2, z).lanewise(VectorOperators.ADD, a3.fma(k3, z)));
            FloatVector bB = b0.fma(k0, z).lanewise(VectorOperators.ADD, b1.fma(k1, z)).lanewise(VectorOperators.ADD, b2.fma(k2, z).lanewise(VectorOperators.ADD, b3.fma(k3, z)));
            k0 = FloatVector.fromArray(F, k, kc);
            k1 = FloatVector.fromArray(F, k, kc + L);
            k2 = FloatVector.fromArray(F, k, kc + 2 * L);
            k3 = FloatVector.fromArray(F, k, kc + 3 * L);
            FloatVector cA = a0.fma(k0, z).lanewise(VectorOperators.ADD, a1.fma(k1, z)).lanewise(VectorOperators.ADD, a2.fma(k2, z).lanewise(VectorOperators.ADD, a3.fma(k3, z)));
            FloatVector cB = b0.fma(k0, z).lanewise(VectorOperators.ADD, b1.fma(k1, z)).lanewise(VectorOperators.ADD, b2.fma(k2, z).lanewise(VectorOperators.ADD, b3.fma(k3, z)));
            k0 = FloatVector.fromArray(F, k, kd);
            k1 = FloatVector.fromArray(F, k, kd + L);
            k2 = FloatVector.fromArray(F, k, kd + 2 * L);
            k3 = FloatVector.fromArray(F, k, kd + 3 * L);
            FloatVector dA = a0.fma(k0, z).lanewise(VectorOperators.ADD, a1.fma(k1, z)).lanewise(VectorOperators.ADD, a2.fma(k2, z).lanewise(VectorOperators.ADD, a3.fma(k3, z)));
            FloatVector dB = b0.fma(k0, z).lanewise(VectorOperators.ADD, b1.fma(k1, z)).lanewise(VectorOperators.ADD, b2.fma(k2, z).lanewise(VectorOperators.ADD, b3.fma(k3, z)));
            FloatVector u0 = aA.blend(bA, HI_A).lanewise(VectorOperators.ADD, bA.blend(aA, HI_A).rearrange(SWAP_A));
            FloatVector u1 = cA.blend(dA, HI_A).lanewise(VectorOperators.ADD, dA.blend(cA, HI_A).rearrange(SWAP_A));
            u0.blend(u1, HI_B).lanewise(VectorOperators.ADD, u1.blend(u0, HI_B).rearrange(SWAP_B)).intoArray(red, g * L);
            u0 = aB.blend(bB, HI_A).lanewise(VectorOperators.ADD, bB.blend(aB, HI_A).rearrange(SWAP_A));
            u1 = cB.blend(dB, HI_A).lanewise(VectorOperators.ADD, dB.blend(cB, HI_A).rearrange(SWAP_A));
            u0.blend(u1, HI_B).lanewise(VectorOperators.ADD, u1.blend(u0, HI_B).rearrange(SWAP_B)).intoArray(red, half + g * L);
        }
        finish(red, 0, out, oA);
        finish(red, half, out, oB);
    }

    /**
     * {@link #block8} for two queries over the same L rows, as {@link #block4x2}: per row and query (p0 + p1) + (p2 +
     * p3), p_i = fma(q_(i+4), k_(i+4), fma(q_i, k_i, 0)) as block8's accumulators; the second query's products read
     * the row's vectors again from the L1 cache.
     */
    private static void block8x2(float[] q, int qoA, int qoB, float[] k, int kr, int stride, float[] out, int oA, int oB, float[] red) {
        FloatVector a0 = FloatVector.fromArray(F, q, qoA), a1 = FloatVector.fromArray(F, q, qoA + L);
        FloatVector a2 = FloatVector.fromArray(F, q, qoA + 2 * L), a3 = FloatVector.fromArray(F, q, qoA + 3 * L);
        FloatVector a4 = FloatVector.fromArray(F, q, qoA + 4 * L), a5 = FloatVector.fromArray(F, q, qoA + 5 * L);
        FloatVector a6 = FloatVector.fromArray(F, q, qoA + 6 * L), a7 = FloatVector.fromArray(F, q, qoA + 7 * L);
        FloatVector b0 = FloatVector.fromArray(F, q, qoB), b1 = FloatVector.fromArray(F, q, qoB + L);
        FloatVector b2 = FloatVector.fromArray(F, q, qoB + 2 * L), b3 = FloatVector.fromArray(F, q, qoB + 3 * L);
        FloatVector b4 = FloatVector.fromArray(F, q, qoB + 4 * L), b5 = FloatVector.fromArray(F, q, qoB + 5 * L);
        FloatVector b6 = FloatVector.fromArray(F, q, qoB + 6 * L), b7 = FloatVector.fromArray(F, q, qoB + 7 * L);
        FloatVector z = FloatVector.zero(F);
        int half = L * L / 4;
        for (int g = 0; g < L / 4; g++) {
            int ka = kr + 4 * g * stride, kb = ka + stride, kc = kb + stride, kd = kc + stride;
            FloatVector aA = a4.fma(FloatVector.fromArray(F, k, ka + 4 * L), a0.fma(FloatVector.fromArray(F, k, ka), z)).lanewise(VectorOperators.ADD, a5.fma(FloatVector.fromArray(F, k, ka + 5 * L), a1.fma(FloatVector.fromArray(F, k, ka + L), z)))
                    .lanewise(VectorOperators.ADD, a6.fma(FloatVector.fromArray(F, k, ka + 6 * L), a2.fma(FloatVector.fromArray(F, k, ka + 2 * L), z)).lanewise(VectorOperators.ADD, a7.fma(FloatVector.fromArray(F, k, ka + 7 * L), a3.fma(FloatVector.fromArray(F, k, ka + 3 * L), z))));
            FloatVector aB = b4.fma(FloatVector.fromArray(F, k, ka + 4 * L), b0.fma(FloatVector.fromArray(F, k, ka), z)).lanewise(VectorOperators.ADD, b5.fma(FloatVector.fromArray(F, k, ka + 5 * L), b1.fma(FloatVector.fromArray(F, k, ka + L), z)))
                    .lanewise(VectorOperators.ADD, b6.fma(FloatVector.fromArray(F, k, ka + 6 * L), b2.fma(FloatVector.fromArray(F, k, ka + 2 * L), z)).lanewise(VectorOperators.ADD, b7.fma(FloatVector.fromArray(F, k, ka + 7 * L), b3.fma(FloatVector.fromArray(F, k, ka + 3 * L), z))));
            FloatVector bA = a4.fma(FloatVector.fromArray(F, k, kb + 4 * L), a0.fma(FloatVector.fromArray(F, k, kb), z)).lanewise(VectorOperators.ADD, a5.fma(FloatVector.fromArray(F, k, kb + 5 * L), a1.fma(FloatVector.fromArray(F, k, kb + L), z)))
                    .lanewise(VectorOperators.ADD, a6.fma(FloatVector.fromArray(F, k, kb + 6 * L), a2.fma(FloatVector.fromArray(F, k, kb + 2 * L), z)).lanewise(VectorOperators.ADD, a7.fma(FloatVector.fromArray(F, k, kb + 7 * L), a3.fma(FloatVector.fromArray(F, k, kb + 3 * L), z))));
            FloatVector bB = b4.fma(FloatVector.fromArray(F, k, kb + 4 * L), b0.fma(FloatVector.fromArray(F, k, kb), z)).lanewise(VectorOperators.ADD, b5.fma(FloatVector.fromArray(F, k, kb + 5 * L), b1.fma(FloatVector.fromArray(F, k, kb + L), z)))
                    .lanewise(VectorOperators.ADD, b6.fma(FloatVector.fromArray(F, k, kb + 6 * L), b2.fma(FloatVector.fromArray(F, k, kb + 2 * L), z)).lanewise(VectorOperators.ADD, b7.fma(FloatVector.fromArray(F, k, kb + 7 * L), b3.fma(FloatVector.fromArray(F, k, kb + 3 * L), z))));
            FloatVector cA = a4.fma(FloatVector.fromArray(F, k, kc + 4 * L), a0.fma(FloatVector.fromArray(F, k, kc), z)).lanewise(VectorOperators.ADD, a5.fma(FloatVector.fromArray(F, k, kc + 5 * L), a1.fma(FloatVector.fromArray(F, k, kc + L), z)))
                    .lanewise(VectorOperators.ADD, a6.fma(FloatVector.fromArray(F, k, kc + 6 * L), a2.fma(FloatVector.fromArray(F, k, kc + 2 * L), z)).lanewise(VectorOperators.ADD, a7.fma(FloatVector.fromArray(F, k, kc + 7 * L), a3.fma(FloatVector.fromArray(F, k, kc + 3 * L), z))));
            FloatVector cB = b4.fma(FloatVector.fromArray(F, k, kc + 4 * L), b0.fma(FloatVector.fromArray(F, k, kc), z)).lanewise(VectorOperators.ADD, b5.fma(FloatVector.fromArray(F, k, kc + 5 * L), b1.fma(FloatVector.fromArray(F, k, kc + L), z)))
                    .lanewise(VectorOperators.ADD, b6.fma(FloatVector.fromArray(F, k, kc + 6 * L), b2.fma(FloatVector.fromArray(F, k, kc + 2 * L), z)).lanewise(VectorOperators.ADD, b7.fma(FloatVector.fromArray(F, k, kc + 7 * L), b3.fma(FloatVector.fromArray(F, k, kc + 3 * L), z))));
            FloatVector dA = a4.fma(FloatVector.fromArray(F, k, kd + 4 * L), a0.fma(FloatVector.fromArray(F, k, kd), z)).lanewise(VectorOperators.ADD, a5.fma(FloatVector.fromArray(F, k, kd + 5 * L), a1.fma(FloatVector.fromArray(F, k, kd + L), z)))
                    .lanewise(VectorOperators.ADD, a6.fma(FloatVector.fromArray(F, k, kd + 6 * L), a2.fma(FloatVector.fromArray(F, k, kd + 2 * L), z)).lanewise(VectorOperators.ADD, a7.fma(FloatVector.fromArray(F, k, kd + 7 * L), a3.fma(FloatVector.fromArray(F, k, kd + 3 * L), z))));
            FloatVector dB = b4.fma(FloatVector.fromArray(F, k, kd + 4 * L), b0.fma(FloatVector.fromArray(F, k, kd), z)).lanewise(VectorOperators.ADD, b5.fma(FloatVector.fromArray(F, k, kd + 5 * L), b1.fma(FloatVector.fromArray(F, k, kd + L), z)))
                    .lanewise(VectorOperators.ADD, b6.fma(FloatVector.fromArray(F, k, kd + 6 * L), b2.fma(FloatVector.fromArray(F, k, kd + 2 * L), z)).lanewise(VectorOperators.ADD, b7.fma(FloatVector.fromArray(F, k, kd + 7 * L), b3.fma(FloatVector.fromArray(F, k, kd + 3 * L), z))));
            FloatVector u0 = aA.blend(bA, HI_A).lanewise(VectorOperators.ADD, bA.blend(aA, HI_A).rearrange(SWAP_A));
            FloatVector u1 = cA.blend(dA, HI_A).lanewise(VectorOperators.ADD, dA.blend(cA, HI_A).rearrange(SWAP_A));
            u0.blend(u1, HI_B).lanewise(VectorOperators.ADD, u1.blend(u0, HI_B).rearrange(SWAP_B)).intoArray(red, g * L);
            u0 = aB.blend(bB, HI_A).lanewise(VectorOperators.ADD, bB.blend(aB, HI_A).rearrange(SWAP_A));
            u1 = cB.blend(dB, HI_A).lanewise(VectorOperators.ADD, dB.blend(cB, HI_A).rearrange(SWAP_A));
            u0.blend(u1, HI_B).lanewise(VectorOperators.ADD, u1.blend(u0, HI_B).rearrange(SWAP_B)).intoArray(red, half + g * L);
        }
        finish(red, 0, out, oA);
        finish(red, half, out, oB);
    }

    /** The same over 8L floats: each accumulator gets two fmas, the second 4L floats after the first, as the loop of RowKernels.dot does. */
    private static void block8(float[] q, int qo, float[] k, int kr, int stride, float[] out, int o, float[] red) {
        FloatVector q0 = FloatVector.fromArray(F, q, qo), q1 = FloatVector.fromArray(F, q, qo + L);
        FloatVector q2 = FloatVector.fromArray(F, q, qo + 2 * L), q3 = FloatVector.fromArray(F, q, qo + 3 * L);
        FloatVector q4 = FloatVector.fromArray(F, q, qo + 4 * L), q5 = FloatVector.fromArray(F, q, qo + 5 * L);
        FloatVector q6 = FloatVector.fromArray(F, q, qo + 6 * L), q7 = FloatVector.fromArray(F, q, qo + 7 * L);
        FloatVector z = FloatVector.zero(F);
        for (int g = 0; g < L / 4; g++) {
            int ka = kr + 4 * g * stride, kb = ka + stride, kc = kb + stride, kd = kc + stride;
            FloatVector a0 = q4.fma(FloatVector.fromArray(F, k, ka + 4 * L), q0.fma(FloatVector.fromArray(F, k, ka), z));
            FloatVector a1 = q5.fma(FloatVector.fromArray(F, k, ka + 5 * L), q1.fma(FloatVector.fromArray(F, k, ka + L), z));
            FloatVector a2 = q6.fma(FloatVector.fromArray(F, k, ka + 6 * L), q2.fma(FloatVector.fromArray(F, k, ka + 2 * L), z));
            FloatVector a3 = q7.fma(FloatVector.fromArray(F, k, ka + 7 * L), q3.fma(FloatVector.fromArray(F, k, ka + 3 * L), z));
            FloatVector b0 = q4.fma(FloatVector.fromArray(F, k, kb + 4 * L), q0.fma(FloatVector.fromArray(F, k, kb), z));
            FloatVector b1 = q5.fma(FloatVector.fromArray(F, k, kb + 5 * L), q1.fma(FloatVector.fromArray(F, k, kb + L), z));
            FloatVector b2 = q6.fma(FloatVector.fromArray(F, k, kb + 6 * L), q2.fma(FloatVector.fromArray(F, k, kb + 2 * L), z));
            FloatVector b3 = q7.fma(FloatVector.fromArray(F, k, kb + 7 * L), q3.fma(FloatVector.fromArray(F, k, kb + 3 * L), z));
            FloatVector c0 = q4.fma(FloatVector.fromArray(F, k, kc + 4 * L), q0.fma(FloatVector.fromArray(F, k, kc), z));
            FloatVector c1 = q5.fma(FloatVector.fromArray(F, k, kc + 5 * L), q1.fma(FloatVector.fromArray(F, k, kc + L), z));
            FloatVector c2 = q6.fma(FloatVector.fromArray(F, k, kc + 6 * L), q2.fma(FloatVector.fromArray(F, k, kc + 2 * L), z));
            FloatVector c3 = q7.fma(FloatVector.fromArray(F, k, kc + 7 * L), q3.fma(FloatVector.fromArray(F, k, kc + 3 * L), z));
            FloatVector d0 = q4.fma(FloatVector.fromArray(F, k, kd + 4 * L), q0.fma(FloatVector.fromArray(F, k, kd), z));
            FloatVector d1 = q5.fma(FloatVector.fromArray(F, k, kd + 5 * L), q1.fma(FloatVector.fromArray(F, k, kd + L), z));
            FloatVector d2 = q6.fma(FloatVector.fromArray(F, k, kd + 6 * L), q2.fma(FloatVector.fromArray(F, k, kd + 2 * L), z));
            FloatVector d3 = q7.fma(FloatVector.fromArray(F, k, kd + 7 * L), q3.fma(FloatVector.fromArray(F, k, kd + 3 * L), z));
            // (a0 + a1) + (a2 + a3) per row, as RowKernels.dot; then the butterfly's first two steps for four rows
            FloatVector va = a0.lanewise(VectorOperators.ADD, a1).lanewise(VectorOperators.ADD, a2.lanewise(VectorOperators.ADD, a3));
            FloatVector vb = b0.lanewise(VectorOperators.ADD, b1).lanewise(VectorOperators.ADD, b2.lanewise(VectorOperators.ADD, b3));
            FloatVector vc = c0.lanewise(VectorOperators.ADD, c1).lanewise(VectorOperators.ADD, c2.lanewise(VectorOperators.ADD, c3));
            FloatVector vd = d0.lanewise(VectorOperators.ADD, d1).lanewise(VectorOperators.ADD, d2.lanewise(VectorOperators.ADD, d3));
            FloatVector u0 = va.blend(vb, HI_A).lanewise(VectorOperators.ADD, vb.blend(va, HI_A).rearrange(SWAP_A));
            FloatVector u1 = vc.blend(vd, HI_A).lanewise(VectorOperators.ADD, vd.blend(vc, HI_A).rearrange(SWAP_A));
            u0.blend(u1, HI_B).lanewise(VectorOperators.ADD, u1.blend(u0, HI_B).rearrange(SWAP_B)).intoArray(red, g * L);
        }
        finish(red, 0, out, o);
    }


    /** The butterfly's steps after the first two, over the L/4 vectors at red[ro ..]; row r's sum to out[o + r]. */
    private static void finish(float[] red, int ro, float[] out, int o) {
        FloatVector y = FloatVector.fromArray(F, red, ro);
        if (L >= 16) { // four groups: steps of distance 2, then 1
            FloatVector w1 = FloatVector.fromArray(F, red, ro + L), w2 = FloatVector.fromArray(F, red, ro + 2 * L), w3 = FloatVector.fromArray(F, red, ro + 3 * L);
            FloatVector x0 = y.blend(w1, HI2).lanewise(VectorOperators.ADD, w1.blend(y, HI2).rearrange(Simd.SWAP2));
            FloatVector x1 = w2.blend(w3, HI2).lanewise(VectorOperators.ADD, w3.blend(w2, HI2).rearrange(Simd.SWAP2));
            y = x0.blend(x1, HI1).lanewise(VectorOperators.ADD, x1.blend(x0, HI1).rearrange(Simd.SWAP1));
        } else if (L >= 8) { // two groups: the step of distance 1
            FloatVector w1 = FloatVector.fromArray(F, red, ro + L);
            y = y.blend(w1, HI1).lanewise(VectorOperators.ADD, w1.blend(y, HI1).rearrange(Simd.SWAP1));
        }
        y.rearrange(ROWS).intoArray(out, o);
    }

    private static VectorMask<Float> lanesWithBit(int s) {
        long bits = 0;
        for (int i = 0; i < L; i++) {
            if ((i & s) != 0) {
                bits |= 1L << i;
            }
        }
        return VectorMask.fromLong(F, bits);
    }

    /** Follows rows through {@link #block}'s steps (a step keeps a's row where lane bit s is clear, b's where set). */
    private static VectorShuffle<Float> rowOrder() {
        int[][] w = new int[L / 4][];
        for (int g = 0; g < L / 4; g++) {
            int[] u0 = step(rows(4 * g), rows(4 * g + 1), L / 2), u1 = step(rows(4 * g + 2), rows(4 * g + 3), L / 2);
            w[g] = step(u0, u1, L / 4);
        }
        int[] y = w[0];
        if (L >= 16) {
            y = step(step(w[0], w[1], 2), step(w[2], w[3], 2), 1);
        } else if (L >= 8) {
            y = step(w[0], w[1], 1);
        }
        int[] lane = new int[L];
        for (int i = 0; i < L; i++) {
            lane[y[i]] = i;
        }
        return VectorShuffle.fromArray(F, lane, 0);
    }

    private static int[] rows(int r) {
        int[] v = new int[L];
        java.util.Arrays.fill(v, r);
        return v;
    }

    private static int[] step(int[] a, int[] b, int s) {
        int[] c = new int[L];
        for (int i = 0; i < L; i++) {
            c[i] = (i & s) == 0 ? a[i] : b[i];
        }
        return c;
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
