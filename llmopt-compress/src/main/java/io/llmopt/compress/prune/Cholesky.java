package io.llmopt.compress.prune;

import io.llmopt.tensor.LlmoptException;

/**
 * Dense Cholesky helpers in double for SparseGPT, matrices [n][n] row-major. Legend: H symmetric positive
 * definite, L lower with H = L·Lᵀ, U upper with A = Uᵀ·U.
 */
final class Cholesky {
    private Cholesky() {
    }

    /** L with H = L·Lᵀ (new array); fails when H is not positive definite. */
    static double[] lower(double[] h, int n) {
        double[] l = new double[n * n];
        for (int j = 0; j < n; j++) {
            double d = h[j * n + j];
            for (int k = 0; k < j; k++) {
                d -= l[j * n + k] * l[j * n + k];
            }
            if (!(d > 0)) {
                throw new LlmoptException("the Hessian is not positive definite at column " + j + " (increase --damp)");
            }
            double ljj = Math.sqrt(d);
            l[j * n + j] = ljj;
            for (int i = j + 1; i < n; i++) {
                double s = h[i * n + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * n + k] * l[j * n + k];
                }
                l[i * n + j] = s / ljj;
            }
        }
        return l;
    }

    /** H⁻¹ from H's Cholesky factor L: H⁻¹ = L⁻ᵀ·L⁻¹ (as torch.cholesky_inverse). */
    static double[] inverseFromLower(double[] l, int n) {
        double[] li = new double[n * n]; // L⁻¹, lower
        for (int j = 0; j < n; j++) {
            li[j * n + j] = 1 / l[j * n + j];
            for (int i = j + 1; i < n; i++) {
                double s = 0;
                for (int k = j; k < i; k++) {
                    s += l[i * n + k] * li[k * n + j];
                }
                li[i * n + j] = -s / l[i * n + i];
            }
        }
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = i; k < n; k++) { // (L⁻ᵀL⁻¹)_ij = Σ_k L⁻¹_ki·L⁻¹_kj, k ≥ max(i, j)
                    s += li[k * n + i] * li[k * n + j];
                }
                inv[i * n + j] = s;
                inv[j * n + i] = s;
            }
        }
        return inv;
    }

    /** U upper with A = Uᵀ·U (torch.linalg.cholesky(A, upper=True)) = transpose of the lower factor. */
    static double[] upper(double[] a, int n) {
        double[] l = lower(a, n);
        double[] u = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                u[j * n + i] = l[i * n + j];
            }
        }
        return u;
    }
}
