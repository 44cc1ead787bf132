package io.llmopt.compress.prune;

/**
 * Wanda (Sun et al. 2023, "A Simple and Effective Pruning Approach for LLMs"): score S_ij = |W_ij|·‖X_j‖₂ with
 * ‖X_j‖₂ the norm of input feature j over the calibration tokens; weights are compared within each output row
 * (unstructured) or within each N:M group.
 */
public final class Wanda {
    private Wanda() {
    }

    public static double[] scores(float[] w, int rows, int cols, double[] columnNorms) {
        double[] s = new double[w.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                s[r * cols + c] = Math.abs(w[r * cols + c]) * columnNorms[c];
            }
        }
        return s;
    }

    public static boolean[] mask(float[] w, int rows, int cols, double[] columnNorms, SparsityPattern p) {
        double[] s = scores(w, rows, cols, columnNorms);
        return p.isNm() ? MaskSelection.nm(s, rows, cols, p) : MaskSelection.perRow(s, rows, cols, p.sparsity());
    }
}
