package io.llmopt.eval.mc;

/**
 * One answer of a multiple-choice item: the log-likelihood of {@code continuation} given {@code context} is
 * its score. {@code normText} is the text whose length (in characters, as lm-evaluation-harness's
 * {@code len(choice)}) divides the score for acc_norm — the answer without the delimiter before it.
 */
public record McChoice(String context, String continuation, String normText) {
    public McChoice {
        if (continuation.isEmpty() || normText.isEmpty()) {
            throw new IllegalArgumentException("empty continuation");
        }
    }

    /** Characters (Unicode code points) of the answer, at least 1. */
    public int normLength() {
        return Math.max(1, normText.codePointCount(0, normText.length()));
    }
}
