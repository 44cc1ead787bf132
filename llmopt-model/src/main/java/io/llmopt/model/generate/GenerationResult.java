package io.llmopt.model.generate;

/**
 * The outcome of one generation: prompt and generated token ids (an end-of-generation token that stopped
 * the text is not included), the text (without a matched stop string), why it ended, the seed used, and
 * timings of the prompt pass and of the token-by-token pass.
 */
public record GenerationResult(int[] promptTokens, int[] tokens, String text, FinishReason finishReason,
        String stopString, long seed, long promptNanos, long generationNanos) {

    public double promptTokensPerSecond() {
        return promptNanos == 0 ? 0 : promptTokens.length * 1e9 / promptNanos;
    }

    /** Tokens per second of the decode loop (the first token comes from the prompt pass, so n−1 steps). */
    public double generationTokensPerSecond() {
        int steps = Math.max(0, tokens.length - 1);
        return generationNanos == 0 || steps == 0 ? 0 : steps * 1e9 / generationNanos;
    }
}
