package io.llmopt.compress.prune;

/**
 * Magnitude pruning: score |W_ij|; unstructured selection over the whole matrix (as
 * torch.nn.utils.prune.l1_unstructured), N:M selection per group.
 */
public final class Magnitude {
    private Magnitude() {
    }

    public static double[] scores(float[] w) {
        double[] s = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            s[i] = Math.abs(w[i]);
        }
        return s;
    }

    public static boolean[] mask(float[] w, int rows, int cols, SparsityPattern p) {
        double[] s = scores(w);
        return p.isNm() ? MaskSelection.nm(s, rows, cols, p) : MaskSelection.perMatrix(s, p.sparsity());
    }
}
