package io.llmopt.eval;

/**
 * Sees the full logits of every scored position, in scoring order (window by window, position by position):
 * used to save base log-probs and to compare a variant against them.
 */
@FunctionalInterface
public interface ScoredPositionListener {
    ScoredPositionListener NONE = (logits, offset, vocab, target, logSumExp) -> { };

    /**
     * @param logits    row-major logits; this position's row is logits[offset .. offset + vocab)
     * @param target    the token that actually follows
     * @param logSumExp log Σ exp(row), so log p(v) = row[v] − logSumExp
     */
    void accept(float[] logits, int offset, int vocab, int target, double logSumExp);
}
