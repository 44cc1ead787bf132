package io.llmopt.compress.prune;

import io.llmopt.tensor.kernel.WorkerPool;

/**
 * SparseGPT (Frantar & Alistarh 2023) for one matrix, following the reference {@code fasterprune}: H = XᵀX
 * (any positive scale), dead inputs (H_jj = 0) get H_jj = 1 and zero weights, dampening λ = damp·mean(diag H)
 * added to the diagonal, U = upper Cholesky factor of H⁻¹. Columns are processed left to right in lazy blocks
 * of B; for unstructured sparsity each block's mask takes the floor(s·rows·B) lowest w²/U_jj² of the block
 * (chosen once at the block start), for N:M every m columns the m − n lowest in each row. Pruning column j
 * sets q = 0 on masked weights and spreads the error e = (w − q)/U_jj over the columns to its right,
 * W[:, k] −= e·U_jk — within the block at once, to later blocks in one batched update per block.
 *
 * <p>Computed in double per row (rows are independent once a block's mask is chosen, so they run in parallel).
 * The reference thresholds with {@code tmp <= sorted[int(s·numel)]}, which prunes one weight more per block;
 * here exactly floor(s·numel), so sparsity 0 leaves the matrix unchanged.
 */
public final class SparseGpt {
    public static final int DEFAULT_BLOCK = 128;
    public static final double DEFAULT_DAMP = 0.01;

    private SparseGpt() {
    }

    /** Prunes w [rows][cols] in place (float values rounded from the double computation). */
    public static void prune(float[] w, int rows, int cols, double[] gram, SparsityPattern p, int blockSize,
            double damp, WorkerPool pool) {
        if (p.isNm()) {
            NmCheck.requireDivisible(cols, p);
            if (blockSize % p.m() != 0) {
                throw new IllegalArgumentException("block size " + blockSize + " must be a multiple of m = " + p.m());
            }
        }
        double[] h = gram.clone();
        double[] wd = new double[rows * cols];
        for (int i = 0; i < wd.length; i++) {
            wd[i] = w[i];
        }
        double mean = 0;
        for (int j = 0; j < cols; j++) {
            if (h[j * cols + j] == 0) {
                h[j * cols + j] = 1;
                for (int r = 0; r < rows; r++) {
                    wd[r * cols + j] = 0;
                }
            }
            mean += h[j * cols + j];
        }
        double lambda = damp * mean / cols;
        for (int j = 0; j < cols; j++) {
            h[j * cols + j] += lambda;
        }
        double[] u = Cholesky.upper(Cholesky.inverseFromLower(Cholesky.lower(h, cols), cols), cols);
        for (int i1 = 0; i1 < cols; i1 += blockSize) {
            int i2 = Math.min(i1 + blockSize, cols);
            int count = i2 - i1;
            boolean[] mask = new boolean[rows * count];
            if (!p.isNm()) {
                double[] tmp = new double[rows * count];
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < count; i++) {
                        double d = u[(i1 + i) * cols + i1 + i];
                        double v = wd[r * cols + i1 + i];
                        tmp[r * count + i] = v * v / (d * d);
                    }
                }
                MaskSelection.smallest(tmp, 0, tmp.length, (int) Math.floor(p.sparsity() * tmp.length), mask);
            }
            int from = i1;
            pool.run(rows, 1, (worker, r0, r1) -> {
                double[] err = new double[count];
                double[] tmp = new double[p.isNm() ? p.m() : 0];
                for (int r = r0; r < r1; r++) {
                    pruneRowBlock(wd, r, cols, from, i2, u, mask, p, err, tmp);
                }
            });
        }
        for (int i = 0; i < wd.length; i++) {
            w[i] = (float) wd[i];
        }
    }

    private static void pruneRowBlock(double[] wd, int r, int cols, int i1, int i2, double[] u, boolean[] mask,
            SparsityPattern p, double[] err, double[] tmp) {
        int count = i2 - i1;
        int row = r * cols;
        for (int i = 0; i < count; i++) {
            int col = i1 + i;
            if (p.isNm() && i % p.m() == 0) {
                for (int k = 0; k < p.m(); k++) {
                    double d = u[(col + k) * cols + col + k];
                    double v = wd[row + col + k];
                    tmp[k] = v * v / (d * d);
                }
                boolean[] group = new boolean[p.m()];
                MaskSelection.smallest(tmp, 0, p.m(), p.prunedPerGroup(), group);
                for (int k = 0; k < p.m(); k++) {
                    mask[r * count + i + k] = group[k];
                }
            }
            double w = wd[row + col];
            double q = mask[r * count + i] ? 0 : w;
            double e = (w - q) / u[col * cols + col];
            err[i] = e;
            if (e != 0) {
                for (int k = col + 1; k < i2; k++) {
                    wd[row + k] -= e * u[col * cols + k];
                }
            }
            wd[row + col] = q;
        }
        for (int k = i2; k < cols; k++) {
            double s = 0;
            for (int i = 0; i < count; i++) {
                s += err[i] * u[(i1 + i) * cols + k];
            }
            wd[row + k] -= s;
        }
    }
}
