package io.llmopt.model.sampling;

/**
 * Log-probabilities of the <em>raw</em> logits (before logit bias, penalties, truncation and temperature): what
 * OpenAI's {@code logprobs} / {@code top_logprobs} and llama.cpp's {@code n_probs} with
 * {@code post_sampling_probs = false} report. logprob(t) = logit[t] − log Σ_v exp(logit[v]), computed in double
 * with the max subtracted first.
 *
 * <p>Reusable scratch for one sequence (not thread-safe): {@link #compute} allocates nothing. Top tokens are
 * ordered by logit, ties by lower id, the same order the {@link Sampler} uses.
 */
public final class TopLogprobs {
    private final int[] tokens;
    private final float[] logprobs;
    private int size;
    private double logSumExp = Double.NaN;

    /** @param maxTopN the largest {@code topN} {@link #compute} will be asked for (OpenAI allows up to 20) */
    public TopLogprobs(int maxTopN) {
        if (maxTopN < 0) {
            throw new IllegalArgumentException("maxTopN must be >= 0, got " + maxTopN);
        }
        tokens = new int[maxTopN];
        logprobs = new float[maxTopN];
    }

    /**
     * Computes log Σ exp over logits[0..vocabSize) and the min(topN, vocabSize) most likely tokens. Does not modify
     * {@code logits}.
     *
     * @throws IllegalArgumentException if a logit is NaN or +∞, all are −∞, or topN exceeds the capacity
     */
    public void compute(float[] logits, int vocabSize, int topN) {
        if (topN < 0 || topN > tokens.length) {
            throw new IllegalArgumentException("topN must be in [0, " + tokens.length + "], got " + topN);
        }
        double lse = logSumExp(logits, vocabSize);
        size = TokenHeap.selectTop(logits, vocabSize, topN, tokens);
        for (int i = 0; i < size; i++) {
            logprobs[i] = (float) (logits[tokens[i]] - lse);
        }
        logSumExp = lse;
    }

    /** How many top tokens the last {@link #compute} produced. */
    public int size() {
        return size;
    }

    /** The token of the given rank (0 = most likely) from the last {@link #compute}. */
    public int token(int rank) {
        checkRank(rank);
        return tokens[rank];
    }

    /** The log-probability of the token of the given rank from the last {@link #compute}. */
    public float logprob(int rank) {
        checkRank(rank);
        return logprobs[rank];
    }

    /** log Σ exp(logits) from the last {@link #compute}. */
    public double logSumExp() {
        return logSumExp;
    }

    /**
     * The log-probability of any token (e.g. the sampled one) under the last {@link #compute}; {@code logits} must be
     * the same array, unchanged.
     */
    public float logprobOf(float[] logits, int token) {
        if (Double.isNaN(logSumExp)) {
            throw new IllegalStateException("compute() has not been called");
        }
        return (float) (logits[token] - logSumExp);
    }

    /** log Σ_{v &lt; vocabSize} exp(logits[v]), stable (max subtracted) and bit-reproducible ({@link Exp}, StrictMath.log). */
    public static double logSumExp(float[] logits, int vocabSize) {
        if (vocabSize < 1 || vocabSize > logits.length) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " must be in [1, " + logits.length + "]");
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            float x = logits[i];
            if (x != x || x == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("logit of token " + i + " is " + x
                        + ": logits must be finite or -Infinity");
            }
            max = Math.max(max, x);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw new IllegalArgumentException("all " + vocabSize + " logits are -Infinity");
        }
        double sum = 0;
        for (int i = 0; i < vocabSize; i++) {
            sum += Exp.ofNonPositive(logits[i] - (double) max);
        }
        return max + StrictMath.log(sum);
    }

    private void checkRank(int rank) {
        if (rank < 0 || rank >= size) {
            throw new IndexOutOfBoundsException("rank " + rank + " of " + size);
        }
    }
}
