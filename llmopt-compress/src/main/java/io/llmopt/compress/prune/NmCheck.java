package io.llmopt.compress.prune;

import io.llmopt.tensor.LlmoptException;

/** Checks the N:M property: at most n non-zeros in every group of m consecutive weights of each row. */
public final class NmCheck {
    private NmCheck() {
    }

    static void requireDivisible(int cols, SparsityPattern p) {
        if (cols % p.m() != 0) {
            throw new LlmoptException(p + " sparsity needs rows whose length is a multiple of " + p.m() + ", got " + cols);
        }
    }

    /**
     * Number of groups of m along the input dimension with more than n non-zeros (0 = the matrix is N:M). A
     * group with fewer non-zeros (weights that were already zero) still satisfies N:M hardware formats.
     */
    public static long violations(float[] w, int rows, int cols, int n, int m) {
        if (cols % m != 0) {
            return (long) rows * ((cols + m - 1) / m);
        }
        long bad = 0;
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols; g += m) {
                int nonZero = 0;
                for (int i = 0; i < m; i++) {
                    if (w[r * cols + g + i] != 0f) {
                        nonZero++;
                    }
                }
                if (nonZero > n) {
                    bad++;
                }
            }
        }
        return bad;
    }

    /** Groups with exactly n non-zeros, as a fraction of all groups (1.0 for a freshly pruned dense matrix). */
    public static double exactFraction(float[] w, int rows, int cols, int n, int m) {
        long exact = 0;
        long groups = 0;
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g + m <= cols; g += m) {
                int nonZero = 0;
                for (int i = 0; i < m; i++) {
                    if (w[r * cols + g + i] != 0f) {
                        nonZero++;
                    }
                }
                groups++;
                if (nonZero == n) {
                    exact++;
                }
            }
        }
        return groups == 0 ? 0 : (double) exact / groups;
    }
}
