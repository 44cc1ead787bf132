package io.llmopt.compress.prune;

import io.llmopt.tensor.LlmoptException;

/**
 * What to remove from each matrix: an unstructured fraction {@code sparsity} ∈ [0, 1), or semi-structured N:M
 * (n > 0): exactly n non-zeros in every group of m consecutive weights along the input dimension (2:4 = 50 %).
 */
public record SparsityPattern(double sparsity, int n, int m) {

    public SparsityPattern {
        if (n == 0 && m == 0) {
            if (!(sparsity >= 0 && sparsity < 1)) {
                throw new LlmoptException("--sparsity must be in [0, 1), got " + sparsity);
            }
        } else if (n <= 0 || m <= 0 || n >= m) {
            throw new LlmoptException("N:M sparsity needs 0 < N < M, got " + n + ":" + m);
        }
    }

    public static SparsityPattern unstructured(double sparsity) {
        return new SparsityPattern(sparsity, 0, 0);
    }

    /** "2:4" → n = 2 non-zeros per m = 4. */
    public static SparsityPattern parseNm(String text) {
        String[] parts = text.trim().split(":");
        if (parts.length != 2) {
            throw new LlmoptException("--nm must look like 2:4, got '" + text + "'");
        }
        try {
            int n = Integer.parseInt(parts[0].trim());
            int m = Integer.parseInt(parts[1].trim());
            return new SparsityPattern(1.0 - (double) n / Math.max(1, m), n, m);
        } catch (NumberFormatException e) {
            throw new LlmoptException("--nm must look like 2:4, got '" + text + "'");
        }
    }

    public boolean isNm() {
        return n > 0;
    }

    /** Weights to prune per N:M group. */
    public int prunedPerGroup() {
        return m - n;
    }

    @Override
    public String toString() {
        return isNm() ? n + ":" + m : String.format("%.0f%%", sparsity * 100);
    }
}
