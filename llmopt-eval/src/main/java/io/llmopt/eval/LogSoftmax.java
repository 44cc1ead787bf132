package io.llmopt.eval;

/** Log-softmax helpers over one row of a logits array, in double with the maximum subtracted first. */
public final class LogSoftmax {
    private LogSoftmax() {
    }

    /** log Σ_v exp(row[v]) for row = logits[offset .. offset + n). */
    public static double logSumExp(float[] logits, int offset, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = offset; i < offset + n; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = offset; i < offset + n; i++) {
            sum += Math.exp(logits[i] - (double) max);
        }
        return max + Math.log(sum);
    }

    /** Index (0-based within the row) of the largest logit; ties go to the lower id, as llama.cpp's argmax. */
    public static int argmax(float[] logits, int offset, int n) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < n; i++) {
            if (logits[offset + i] > bestValue) {
                bestValue = logits[offset + i];
                best = i;
            }
        }
        return best;
    }
}
