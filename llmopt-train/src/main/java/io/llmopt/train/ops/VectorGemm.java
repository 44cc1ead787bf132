package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.RangeTask;
import io.llmopt.tensor.kernel.WorkerPool;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm} with the Vector API, mirroring {@link ScalarGemm}: the same fused multiply-adds in the same order,
 * so the results are bit-identical. Blocked as BLAS implementations do:
 * <ul>
 *   <li>C is cut into blocks of MB rows and panels of NB = 2 vectors of columns; a work item is one row block
 *       and a group of panels (all of them unless there are too few blocks to keep the threads busy);</li>
 *   <li>k is cut into chunks of KC; for each chunk the item packs its B panel into [KC][NB] and, when A is
 *       read transposed, its A block into [KC][MB], so the inner loop streams contiguous memory whatever the
 *       row length of B (long k, e.g. weight gradients summed over every token). Partial sums stay in C between
 *       chunks, which continues the same chain of fused multiply-adds exactly;</li>
 *   <li>a register-blocked micro-kernel keeps MR × 2 accumulator vectors, loads two vectors of B per k and
 *       broadcasts one element of A per row; a one-row kernel takes the rows beyond a multiple of MR, and a
 *       masked one-row kernel the last panel when n is not a multiple of NB.</li>
 * </ul>
 * The species is a {@code static final} constant: only then does the Vector API compile to SIMD instructions
 * instead of allocating Java code.
 */
public final class VectorGemm implements Gemm {
    static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int L = SPECIES.length();
    private static final int NB = 2 * L;
    private static final int MR = 4;
    private static final int MB = 16 * MR;
    private static final int KC = 256;

    private volatile float[][] packA = new float[0][]; // [worker][KC][MB]
    private volatile float[][] packB = new float[0][]; // [worker][KC][NB]

    @Override
    public String name() {
        return "vector" + SPECIES.vectorBitSize();
    }

    private void ensureScratch(int workers) {
        if (packB.length >= workers) {
            return;
        }
        synchronized (this) {
            if (packB.length < workers) {
                packA = new float[workers][MB * KC];
                packB = new float[workers][KC * NB]; // written last: a reader that sees it sees packA too
            }
        }
    }

    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, float[] bias, int biasOff, boolean accumulate, WorkerPool pool, int worker) {
        if (m <= 0 || n <= 0) {
            return;
        }
        ensureScratch(pool.threads());
        float[][] pb = packB;
        float[][] pa = packA;
        boolean pack = aColStride != 1; // row-major A streams well as it is; strided A is packed
        int blocks = (m + MB - 1) / MB;
        int panels = (n + NB - 1) / NB;
        // items are (row block, group of panels): whole rows of C when there are enough blocks to share out
        int groups = worker >= 0 ? 1 : Math.min(panels, Math.max(1, (4 * pool.threads() + blocks - 1) / blocks));
        int perGroup = (panels + groups - 1) / groups;
        int groupCount = (panels + perGroup - 1) / perGroup;
        RangeTask items = (wk, from, to) -> {
            float[] ap = pa[wk];
            float[] bp = pb[wk];
            for (int t = from; t < to; t++) {
                int i0 = (t / groupCount) * MB;
                int rows = Math.min(MB, m - i0);
                int jFirst = (t % groupCount) * perGroup * NB;
                int jEnd = Math.min(n, jFirst + perGroup * NB);
                if (k == 0) {
                    initOnly(i0, rows, jFirst, jEnd - jFirst, ldc, c, cOff, bias, biasOff, accumulate);
                    continue;
                }
                for (int p0 = 0; p0 < k; p0 += KC) {
                    int kc = Math.min(KC, k - p0);
                    float[] aa;
                    int base;
                    int rowStep;
                    int pStep;
                    if (pack) {
                        packA(a, aOff, aRowStride, aColStride, i0, rows, p0, kc, ap);
                        aa = ap;
                        base = 0;
                        rowStep = 1;
                        pStep = MB;
                    } else {
                        aa = a;
                        base = aOff + i0 * aRowStride + p0;
                        rowStep = aRowStride;
                        pStep = 1;
                    }
                    boolean acc = accumulate || p0 > 0;
                    for (int j0 = jFirst; j0 < jEnd; j0 += NB) {
                        int w = Math.min(NB, n - j0);
                        packB(b, bOff, ldb, j0, w, p0, kc, bp);
                        if (w < NB) {
                            partial(aa, base, rowStep, pStep, rows, bp, kc, i0, j0, w, ldc, c, cOff, bias, biasOff, acc);
                            continue;
                        }
                        int r = 0;
                        for (; r + MR <= rows; r += MR) {
                            tile4(aa, base + r * rowStep, rowStep, pStep, bp, kc, i0 + r, j0, ldc, c, cOff, bias, biasOff, acc);
                        }
                        for (; r < rows; r++) {
                            row1(aa, base + r * rowStep, pStep, bp, kc, i0 + r, j0, ldc, c, cOff, bias, biasOff, acc);
                        }
                    }
                }
            }
        };
        if (worker >= 0) {
            items.run(worker, 0, blocks * groupCount);
        } else {
            // at least ~2^20 multiply-adds per chunk: smaller products are not worth a hand-off between threads
            long perItem = (long) MB * Math.min(n, perGroup * NB) * Math.max(1, k);
            pool.run(blocks * groupCount, (int) Math.max(1, (1 << 20) / perItem), items);
        }
    }

    /** ap[p·MB + r] = A(i0 + r, p0 + p) for a strided A. */
    private static void packA(float[] a, int aOff, int rs, int cs, int i0, int rows, int p0, int kc, float[] ap) {
        if (rs == 1) { // a transposed row-major matrix: each k holds the block's rows side by side
            for (int p = 0; p < kc; p++) {
                System.arraycopy(a, aOff + i0 + (p0 + p) * cs, ap, p * MB, rows);
            }
            return;
        }
        for (int p = 0; p < kc; p++) {
            int src = aOff + i0 * rs + (p0 + p) * cs;
            for (int r = 0; r < rows; r++) {
                ap[p * MB + r] = a[src + r * rs];
            }
        }
    }

    /** bp[p·NB + j] = B[p0 + p][j0 + j] for j &lt; w, 0 beyond. */
    private static void packB(float[] b, int bOff, int ldb, int j0, int w, int p0, int kc, float[] bp) {
        for (int p = 0; p < kc; p++) {
            System.arraycopy(b, bOff + (p0 + p) * ldb + j0, bp, p * NB, w);
            if (w < NB) {
                java.util.Arrays.fill(bp, p * NB + w, (p + 1) * NB, 0f);
            }
        }
    }

    private static FloatVector start(int i, int j, int ldc, float[] c, int cOff, float[] bias, int biasOff, boolean acc) {
        if (acc) {
            return FloatVector.fromArray(SPECIES, c, cOff + i * ldc + j);
        }
        return bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + j) : FloatVector.zero(SPECIES);
    }

    private static float start1(int i, int j, int ldc, float[] c, int cOff, float[] bias, int biasOff, boolean acc) {
        return acc ? c[cOff + i * ldc + j] : bias != null ? bias[biasOff + j] : 0f;
    }

    /** k = 0: C = its initial value. */
    private static void initOnly(int i0, int rows, int j0, int w, int ldc, float[] c, int cOff, float[] bias, int biasOff, boolean acc) {
        for (int i = i0; i < i0 + rows; i++) {
            for (int j = j0; j < j0 + w; j++) {
                c[cOff + i * ldc + j] = start1(i, j, ldc, c, cOff, bias, biasOff, acc);
            }
        }
    }

    /**
     * A panel narrower than NB (the last columns of C): the same kernels' arithmetic on the packed (zero-padded
     * past w) panel, with masked loads and stores of C; lanes are independent, so the sums are unchanged.
     */
    private static void partial(float[] a, int base, int rowStep, int pStep, int rows, float[] bp, int kc, int i0, int j0, int w,
            int ldc, float[] c, int cOff, float[] bias, int biasOff, boolean acc) {
        VectorMask<Float> m0 = SPECIES.indexInRange(0, Math.min(w, L));
        VectorMask<Float> m1 = SPECIES.indexInRange(0, Math.max(0, w - L));
        boolean two = w > L;
        for (int r = 0; r < rows; r++) {
            int i = i0 + r;
            FloatVector c0 = startMasked(i, j0, ldc, c, cOff, bias, biasOff, acc, m0);
            FloatVector c1 = two ? startMasked(i, j0 + L, ldc, c, cOff, bias, biasOff, acc, m1) : c0;
            int pa = base + r * rowStep;
            if (two) {
                for (int p = 0, pb = 0; p < kc; p++, pa += pStep, pb += NB) {
                    FloatVector x = FloatVector.broadcast(SPECIES, a[pa]);
                    c0 = FloatVector.fromArray(SPECIES, bp, pb).fma(x, c0);
                    c1 = FloatVector.fromArray(SPECIES, bp, pb + L).fma(x, c1);
                }
                c1.intoArray(c, cOff + i * ldc + j0 + L, m1);
            } else {
                for (int p = 0, pb = 0; p < kc; p++, pa += pStep, pb += NB) {
                    c0 = FloatVector.fromArray(SPECIES, bp, pb).fma(FloatVector.broadcast(SPECIES, a[pa]), c0);
                }
            }
            c0.intoArray(c, cOff + i * ldc + j0, m0);
        }
    }

    private static FloatVector startMasked(int i, int j, int ldc, float[] c, int cOff, float[] bias, int biasOff, boolean acc,
            VectorMask<Float> mask) {
        if (acc) {
            return FloatVector.fromArray(SPECIES, c, cOff + i * ldc + j, mask);
        }
        return bias != null ? FloatVector.fromArray(SPECIES, bias, biasOff + j, mask) : FloatVector.zero(SPECIES);
    }

    /** Rows i .. i+3 (A rows at pa, pa + rowStep, …), the NB columns j0 .. j0+NB. */
    private static void tile4(float[] a, int pa, int rowStep, int pStep, float[] bp, int kc, int i, int j0, int ldc, float[] c,
            int cOff, float[] bias, int biasOff, boolean acc) {
        FloatVector c00 = start(i, j0, ldc, c, cOff, bias, biasOff, acc);
        FloatVector c01 = start(i, j0 + L, ldc, c, cOff, bias, biasOff, acc);
        FloatVector c10 = start(i + 1, j0, ldc, c, cOff, bias, biasOff, acc);
        FloatVector c11 = start(i + 1, j0 + L, ldc, c, cOff, bias, biasOff, acc);
        FloatVector c20 = start(i + 2, j0, ldc, c, cOff, bias, biasOff, acc);
        FloatVector c21 = start(i + 2, j0 + L, ldc, c, cOff, bias, biasOff, acc);
        FloatVector c30 = start(i + 3, j0, ldc, c, cOff, bias, biasOff, acc);
        FloatVector c31 = start(i + 3, j0 + L, ldc, c, cOff, bias, biasOff, acc);
        int r1 = rowStep;
        int r2 = 2 * rowStep;
        int r3 = 3 * rowStep;
        for (int p = 0, pb = 0; p < kc; p++, pa += pStep, pb += NB) {
            FloatVector b0 = FloatVector.fromArray(SPECIES, bp, pb);
            FloatVector b1 = FloatVector.fromArray(SPECIES, bp, pb + L);
            FloatVector x = FloatVector.broadcast(SPECIES, a[pa]);
            c00 = b0.fma(x, c00);
            c01 = b1.fma(x, c01);
            x = FloatVector.broadcast(SPECIES, a[pa + r1]);
            c10 = b0.fma(x, c10);
            c11 = b1.fma(x, c11);
            x = FloatVector.broadcast(SPECIES, a[pa + r2]);
            c20 = b0.fma(x, c20);
            c21 = b1.fma(x, c21);
            x = FloatVector.broadcast(SPECIES, a[pa + r3]);
            c30 = b0.fma(x, c30);
            c31 = b1.fma(x, c31);
        }
        int o = cOff + i * ldc + j0;
        c00.intoArray(c, o);
        c01.intoArray(c, o + L);
        c10.intoArray(c, o + ldc);
        c11.intoArray(c, o + ldc + L);
        c20.intoArray(c, o + 2 * ldc);
        c21.intoArray(c, o + 2 * ldc + L);
        c30.intoArray(c, o + 3 * ldc);
        c31.intoArray(c, o + 3 * ldc + L);
    }

    /** Row i (A row at pa), the NB columns j0 .. j0+NB. */
    private static void row1(float[] a, int pa, int pStep, float[] bp, int kc, int i, int j0, int ldc, float[] c, int cOff,
            float[] bias, int biasOff, boolean acc) {
        FloatVector c0 = start(i, j0, ldc, c, cOff, bias, biasOff, acc);
        FloatVector c1 = start(i, j0 + L, ldc, c, cOff, bias, biasOff, acc);
        for (int p = 0, pb = 0; p < kc; p++, pa += pStep, pb += NB) {
            FloatVector x = FloatVector.broadcast(SPECIES, a[pa]);
            c0 = FloatVector.fromArray(SPECIES, bp, pb).fma(x, c0);
            c1 = FloatVector.fromArray(SPECIES, bp, pb + L).fma(x, c1);
        }
        c0.intoArray(c, cOff + i * ldc + j0);
        c1.intoArray(c, cOff + i * ldc + j0 + L);
    }
}
