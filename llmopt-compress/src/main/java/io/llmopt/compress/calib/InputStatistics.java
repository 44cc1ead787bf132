package io.llmopt.compress.calib;

import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;

/**
 * Statistics of the inputs X [n][cols] one weight group is multiplied with, accumulated over calibration
 * batches: G = XᵀX (double, [cols][cols]) and the row count n. Wanda's column norm is ‖X_j‖₂ = √G_jj;
 * SparseGPT's Hessian is H = 2XᵀX/n (only its shape matters to the algorithm, so G itself is handed out).
 * Without {@code withGram} only the diagonal is kept (column squared norms), which is all Wanda and the
 * structured importances need.
 */
public final class InputStatistics {
    private final int cols;
    private final double[] gram;      // [cols][cols], lower triangle filled while collecting
    private final double[] squares;   // [cols]
    private long rows;
    private boolean symmetric;

    public InputStatistics(int cols, boolean withGram) {
        this.cols = cols;
        this.gram = withGram ? new double[cols * cols] : null;
        this.squares = new double[cols];
    }

    public int cols() {
        return cols;
    }

    public long rows() {
        return rows;
    }

    public boolean hasGram() {
        return gram != null;
    }

    /** Adds rows x[0 .. n·cols) (row-major). */
    public void add(float[] x, int n, Kernels kernels, WorkerPool pool) {
        for (int t = 0; t < n; t++) {
            int o = t * cols;
            for (int j = 0; j < cols; j++) {
                double v = x[o + j];
                squares[j] += v * v;
            }
        }
        rows += n;
        if (gram == null) {
            return;
        }
        symmetric = false;
        float[] xt = new float[cols * n]; // [cols][n]
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < cols; j++) {
                xt[j * n + t] = x[t * cols + j];
            }
        }
        pool.run(cols, Math.max(1, 4096 / Math.max(1, n)), (worker, from, to) -> {
            for (int i = from; i < to; i++) {
                for (int j = 0; j <= i; j++) {
                    gram[i * cols + j] += kernels.dot(xt, i * n, xt, j * n, n);
                }
            }
        });
    }

    /** ‖X_j‖₂² for every column j. */
    public double[] columnSquaredNorms() {
        return squares.clone();
    }

    /** ‖X_j‖₂ for every column j (Wanda's activation norm). */
    public double[] columnNorms() {
        double[] out = new double[cols];
        for (int j = 0; j < cols; j++) {
            out[j] = Math.sqrt(squares[j]);
        }
        return out;
    }

    /** XᵀX [cols][cols] (shared, do not modify). */
    public double[] gram() {
        if (gram == null) {
            throw new IllegalStateException("these statistics were collected without XᵀX");
        }
        if (!symmetric) {
            for (int i = 0; i < cols; i++) {
                for (int j = 0; j < i; j++) {
                    gram[j * cols + i] = gram[i * cols + j];
                }
            }
            symmetric = true;
        }
        return gram;
    }
}
