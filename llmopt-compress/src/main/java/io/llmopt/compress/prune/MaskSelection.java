package io.llmopt.compress.prune;

import java.util.Arrays;

/**
 * Chooses weights to prune from scores (lower = less important). Ties are broken by position (the earlier
 * weight goes first), so selection is deterministic. {@code mask[i]} true means "prune weight i".
 */
public final class MaskSelection {
    private MaskSelection() {
    }

    /** Marks the k lowest scores among s[off .. off+len) (k clamped to 0..len). */
    public static void smallest(double[] s, int off, int len, int k, boolean[] mask) {
        k = Math.max(0, Math.min(k, len));
        if (k == 0) {
            return;
        }
        if (k == len) {
            Arrays.fill(mask, off, off + len, true);
            return;
        }
        double[] sorted = Arrays.copyOfRange(s, off, off + len);
        Arrays.sort(sorted);
        double threshold = sorted[k - 1];
        int below = 0;
        for (int i = off; i < off + len; i++) {
            if (s[i] < threshold) {
                mask[i] = true;
                below++;
            }
        }
        for (int i = off; i < off + len && below < k; i++) {
            if (s[i] == threshold) {
                mask[i] = true;
                below++;
            }
        }
    }

    /** Per matrix: the round(sparsity·rows·cols) lowest scores (torch.nn.utils.prune's L1 count). */
    public static boolean[] perMatrix(double[] s, double sparsity) {
        boolean[] mask = new boolean[s.length];
        smallest(s, 0, s.length, (int) Math.round(sparsity * s.length), mask);
        return mask;
    }

    /** Per output row: the floor(sparsity·cols) lowest scores of each row (Wanda's comparison group). */
    public static boolean[] perRow(double[] s, int rows, int cols, double sparsity) {
        boolean[] mask = new boolean[s.length];
        int k = (int) Math.floor(sparsity * cols);
        for (int r = 0; r < rows; r++) {
            smallest(s, r * cols, cols, k, mask);
        }
        return mask;
    }

    /** N:M: in every group of m consecutive columns of every row, the m − n lowest scores. */
    public static boolean[] nm(double[] s, int rows, int cols, SparsityPattern p) {
        NmCheck.requireDivisible(cols, p);
        boolean[] mask = new boolean[s.length];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < cols; g += p.m()) {
                smallest(s, r * cols + g, p.m(), p.prunedPerGroup(), mask);
            }
        }
        return mask;
    }

    /** Sets the masked weights to zero. */
    public static void apply(float[] w, boolean[] mask) {
        for (int i = 0; i < w.length; i++) {
            if (mask[i]) {
                w[i] = 0f;
            }
        }
    }
}
