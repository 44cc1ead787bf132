package io.llmopt.train.data;

/**
 * Held-out windows in file order: consecutive non-overlapping windows of T inputs and their shifted targets,
 * at most {@code maxWindows} of them, the same at every evaluation.
 */
public final class ValidationWindows {
    private final int[] tokens;
    private final int seqLen;
    private final int count;

    public ValidationWindows(int[] tokens, int seqLen, int maxWindows) {
        this.tokens = tokens;
        this.seqLen = seqLen;
        int available = Math.max(0, (tokens.length - 1) / seqLen);
        this.count = maxWindows > 0 ? Math.min(available, maxWindows) : available;
    }

    public int count() {
        return count;
    }

    /** Writes windows first .. first+n into rows 0 .. n. */
    public void fill(int[] inputs, int[] targets, int first, int n) {
        for (int r = 0; r < n; r++) {
            int start = (first + r) * seqLen;
            System.arraycopy(tokens, start, inputs, r * seqLen, seqLen);
            System.arraycopy(tokens, start + 1, targets, r * seqLen, seqLen);
        }
    }
}
