package io.llmopt.compress.prune;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The SparseGPT algorithm written the plain way, in double, for tests: H⁻¹ by Gauss–Jordan elimination, its
 * upper Cholesky factor U, then column by column — choose the mask (per block of B columns for unstructured
 * sparsity, per m columns for N:M), zero the masked weights and apply the OBS update W[:, k] −= e·U_jk to every
 * later column at once (no lazy batching).
 */
final class SparseGptReference {
    private SparseGptReference() {
    }

    static double[] prune(float[] w0, int rows, int cols, double[] gram, SparsityPattern p, int block, double damp) {
        double[][] w = new double[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                w[r][c] = w0[r * cols + c];
            }
        }
        double[][] h = new double[cols][cols];
        double mean = 0;
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < cols; j++) {
                h[i][j] = gram[i * cols + j];
            }
        }
        for (int i = 0; i < cols; i++) {
            if (h[i][i] == 0) {
                h[i][i] = 1;
                for (double[] row : w) {
                    row[i] = 0;
                }
            }
            mean += h[i][i] / cols;
        }
        for (int i = 0; i < cols; i++) {
            h[i][i] += damp * mean;
        }
        double[][] u = upperCholesky(inverse(h));
        boolean[][] mask = new boolean[rows][cols];
        for (int col = 0; col < cols; col++) {
            if (!p.isNm() && col % block == 0) {
                int end = Math.min(cols, col + block);
                int count = end - col;
                Integer[] order = new Integer[rows * count];
                double[] tmp = new double[rows * count];
                for (int r = 0; r < rows; r++) {
                    for (int i = 0; i < count; i++) {
                        tmp[r * count + i] = w[r][col + i] * w[r][col + i] / (u[col + i][col + i] * u[col + i][col + i]);
                        order[r * count + i] = r * count + i;
                    }
                }
                Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> tmp[i]).thenComparingInt(i -> i));
                for (int k = 0; k < (int) Math.floor(p.sparsity() * tmp.length); k++) {
                    mask[order[k] / count][col + order[k] % count] = true;
                }
            }
            for (int r = 0; r < rows; r++) {
                if (p.isNm() && col % p.m() == 0) {
                    int row = r;
                    int start = col;
                    Integer[] order = new Integer[p.m()];
                    Arrays.setAll(order, i -> start + i);
                    Arrays.sort(order, Comparator.<Integer>comparingDouble(c -> w[row][c] * w[row][c] / (u[c][c] * u[c][c]))
                            .thenComparingInt(c -> c));
                    for (int k = 0; k < p.m() - p.n(); k++) {
                        mask[r][order[k]] = true;
                    }
                }
                double q = mask[r][col] ? 0 : w[r][col];
                double e = (w[r][col] - q) / u[col][col];
                for (int k = col + 1; k < cols; k++) {
                    w[r][k] -= e * u[col][k];
                }
                w[r][col] = q;
            }
        }
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(w[r], 0, out, r * cols, cols);
        }
        return out;
    }

    static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int pivot = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) {
                    pivot = r;
                }
            }
            double[] t = m[c];
            m[c] = m[pivot];
            m[pivot] = t;
            double d = m[c][c];
            for (int j = 0; j < 2 * n; j++) {
                m[c][j] /= d;
            }
            for (int r = 0; r < n; r++) {
                if (r != c && m[r][c] != 0) {
                    double f = m[r][c];
                    for (int j = 0; j < 2 * n; j++) {
                        m[r][j] -= f * m[c][j];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], n, inv[i], 0, n);
        }
        return inv;
    }

    /** U upper with A = UᵀU. */
    static double[][] upperCholesky(double[][] a) {
        int n = a.length;
        double[][] u = new double[n][n];
        for (int i = 0; i < n; i++) {
            double s = a[i][i];
            for (int k = 0; k < i; k++) {
                s -= u[k][i] * u[k][i];
            }
            u[i][i] = Math.sqrt(s);
            for (int j = i + 1; j < n; j++) {
                double t = (a[i][j] + a[j][i]) / 2;
                for (int k = 0; k < i; k++) {
                    t -= u[k][i] * u[k][j];
                }
                u[i][j] = t / u[i][i];
            }
        }
        return u;
    }
}
