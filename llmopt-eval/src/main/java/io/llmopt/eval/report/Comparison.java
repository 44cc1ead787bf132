package io.llmopt.eval.report;

import java.util.List;

/**
 * A full comparison: the setting every row was measured in and the rows, base first.
 *
 * @param text   the evaluation text
 * @param task   the multiple-choice task file, or null
 * @param topK   base log-probs kept per position for the KL divergence
 */
public record Comparison(String text, int ctx, int chunks, long tokensScored, int topK, String task, int taskItems,
        int threads, List<ComparisonEntry> entries) {
    public Comparison {
        entries = List.copyOf(entries);
    }
}
