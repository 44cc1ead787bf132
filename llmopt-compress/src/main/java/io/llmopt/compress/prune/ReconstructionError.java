package io.llmopt.compress.prune;

import io.llmopt.tensor.kernel.WorkerPool;

/**
 * Relative reconstruction error ‖WX − ŴX‖_F / ‖WX‖_F on the calibration inputs, from G = XᵀX alone:
 * ‖AX‖² = Σ_rows a·G·aᵀ (X [n][cols] as rows of inputs, W [rows][cols]).
 */
public final class ReconstructionError {
    private ReconstructionError() {
    }

    public static double relative(float[] before, float[] after, int rows, int cols, double[] gram, WorkerPool pool) {
        double[][] parts = new double[pool.threads()][2];
        pool.run(rows, 1, (worker, r0, r1) -> {
            double[] a = new double[cols];
            double[] d = new double[cols];
            for (int r = r0; r < r1; r++) {
                for (int c = 0; c < cols; c++) {
                    a[c] = before[r * cols + c];
                    d[c] = (double) before[r * cols + c] - after[r * cols + c];
                }
                parts[worker][0] += quadratic(d, gram, cols);
                parts[worker][1] += quadratic(a, gram, cols);
            }
        });
        double num = 0;
        double den = 0;
        for (double[] p : parts) {
            num += p[0];
            den += p[1];
        }
        return den > 0 ? Math.sqrt(Math.max(0, num) / den) : 0;
    }

    private static double quadratic(double[] v, double[] g, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            if (v[i] == 0) {
                continue;
            }
            double row = 0;
            for (int j = 0; j < n; j++) {
                row += g[i * n + j] * v[j];
            }
            s += v[i] * row;
        }
        return s;
    }
}
