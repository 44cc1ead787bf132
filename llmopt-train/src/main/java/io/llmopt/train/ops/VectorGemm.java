package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm} with the Vector API, mirroring {@link ScalarGemm}: the same fused multiply-adds in the same
 * order, so the results are bit-identical. C is cut into tiles of MB rows × NB = 2 vectors of columns, one
 * tile per work item (items of one column panel are adjacent, so the panel of B stays in cache). Inside a tile
 * a register-blocked micro-kernel keeps MR × 2 accumulator vectors, loads two vectors of B per k and
 * broadcasts one element of A per row. Rows beyond a multiple of MR run a one-row kernel; columns beyond a
 * multiple of NB run masked single vectors.
 *
 * <p>The species is a {@code static final} constant: only then does the Vector API compile to SIMD
 * instructions instead of allocating Java code.
 */
public final class VectorGemm implements Gemm {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final int NB = 2 * L;
    private static final int MR = 4;
    private static final int MB = 8 * MR;

    @Override
    public String name() {
        return "vector" + SPECIES.vectorBitSize();
    }

    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride, float[] b, int bOff,
            float[] c, int cOff, float[] bias, int biasOff, boolean accumulate, WorkerPool pool) {
        if (m <= 0 || n <= 0) {
            return;
        }
        int blocks = (m + MB - 1) / MB;
        int panels = (n + NB - 1) / NB;
        int grain = Math.max(1, (1 << 17) / Math.max(1, MB * NB * k));
        pool.run(blocks * panels, grain, (worker, from, to) -> {
            for (int t = from; t < to; t++) {
                int i0 = (t % blocks) * MB;
                int j0 = (t / blocks) * NB;
                int i1 = Math.min(m, i0 + MB);
                int i = i0;
                if (j0 + NB <= n) {
                    for (; i + MR <= i1; i += MR) {
                        tile4(i, j0, n, k, a, aOff, aRowStride, aColStride, b, bOff, c, cOff, bias, biasOff, accumulate);
                    }
                    for (; i < i1; i++) {
                        row1(i, j0, n, k, a, aOff, aRowStride, aColStride, b, bOff, c, cOff, bias, biasOff, accumulate);
                    }
                } else {
                    for (; i < i1; i++) {
                        for (int j = j0; j < n; j += L) {
                            masked(i, j, n, k, a, aOff, aRowStride, aColStride, b, bOff, c, cOff, bias, biasOff, accumulate);
                        }
                    }
                }
            }
        });
    }

    private static FloatVector init(int i, int j, int n, float[] c, int cOff, float[] bias, int biasOff, boolean accumulate) {
        if (accumulate) {
            return FloatVector.fromArray(SPECIES, c, cOff + i * n + j);
        }
        return bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + j) : FloatVector.zero(SPECIES);
    }

    /** Rows i .. i+3, columns j .. j+2L. */
    private static void tile4(int i, int j, int n, int k, float[] a, int aOff, int rs, int cs, float[] b, int bOff,
            float[] c, int cOff, float[] bias, int biasOff, boolean accumulate) {
        FloatVector c00 = init(i, j, n, c, cOff, bias, biasOff, accumulate);
        FloatVector c01 = init(i, j + L, n, c, cOff, bias, biasOff, accumulate);
        FloatVector c10 = init(i + 1, j, n, c, cOff, bias, biasOff, accumulate);
        FloatVector c11 = init(i + 1, j + L, n, c, cOff, bias, biasOff, accumulate);
        FloatVector c20 = init(i + 2, j, n, c, cOff, bias, biasOff, accumulate);
        FloatVector c21 = init(i + 2, j + L, n, c, cOff, bias, biasOff, accumulate);
        FloatVector c30 = init(i + 3, j, n, c, cOff, bias, biasOff, accumulate);
        FloatVector c31 = init(i + 3, j + L, n, c, cOff, bias, biasOff, accumulate);
        int pa = aOff + i * rs;
        int pb = bOff + j;
        for (int p = 0; p < k; p++, pa += cs, pb += n) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, b, pb);
            FloatVector b1 = FloatVector.fromArray(SPECIES, b, pb + L);
            FloatVector x = FloatVector.broadcast(SPECIES, a[pa]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(SPECIES, a[pa + rs]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(SPECIES, a[pa + 2 * rs]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(SPECIES, a[pa + 3 * rs]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        int o = cOff + i * n + j;
        c00.intoArray(c, o);
        c01.intoArray(c, o + L);
        c10.intoArray(c, o + n);
        c11.intoArray(c, o + n + L);
        c20.intoArray(c, o + 2 * n);
        c21.intoArray(c, o + 2 * n + L);
        c30.intoArray(c, o + 3 * n);
        c31.intoArray(c, o + 3 * n + L);
    }

    /** Row i, columns j .. j+2L. */
    private static void row1(int i, int j, int n, int k, float[] a, int aOff, int rs, int cs, float[] b, int bOff,
            float[] c, int cOff, float[] bias, int biasOff, boolean accumulate) {
        FloatVector c0 = init(i, j, n, c, cOff, bias, biasOff, accumulate);
        FloatVector c1 = init(i, j + L, n, c, cOff, bias, biasOff, accumulate);
        int pa = aOff + i * rs;
        int pb = bOff + j;
        for (int p = 0; p < k; p++, pa += cs, pb += n) {
            FloatVector x = FloatVector.broadcast(SPECIES, a[pa]);
            c0 = FloatVector.fromArray(SPECIES, b, pb).fma(x, c0);
            c1 = FloatVector.fromArray(SPECIES, b, pb + L).fma(x, c1);
        }
        c0.intoArray(c, cOff + i * n + j);
        c1.intoArray(c, cOff + i * n + j + L);
    }

    /** Row i, columns j .. min(j+L, n), lanes past n masked off. */
    private static void masked(int i, int j, int n, int k, float[] a, int aOff, int rs, int cs, float[] b, int bOff,
            float[] c, int cOff, float[] bias, int biasOff, boolean accumulate) {
        VectorMask<Float> mask = SPECIES.indexInRange(j, n);
        FloatVector acc = accumulate ? FloatVector.fromArray(SPECIES, c, cOff + i * n + j, mask)
                : bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + j, mask) : FloatVector.zero(SPECIES);
        int pa = aOff + i * rs;
        int pb = bOff + j;
        for (int p = 0; p < k; p++, pa += cs, pb += n) {
            acc = FloatVector.fromArray(SPECIES, b, pb, mask).fma(FloatVector.broadcast(SPECIES, a[pa]), acc);
        }
        acc.intoArray(c, cOff + i * n + j, mask);
    }
}
