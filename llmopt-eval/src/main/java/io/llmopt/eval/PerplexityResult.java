package io.llmopt.eval;

/**
 * The outcome of a perplexity run (or of its first part, when interrupted: {@code complete} false).
 *
 * @param mode          "chunks" (llama.cpp's method) or "stride" (sliding window)
 * @param ctx           context length (tokens per chunk / window)
 * @param stride        sliding-window step, 0 in chunks mode
 * @param chunks        chunks (windows) scored
 * @param chunksPlanned chunks the run was going to score
 * @param tokensScored  number of predicted tokens that entered the mean
 * @param textTokens    tokens of the whole text (with its BOS)
 * @param ppl           exp(mean NLL)
 * @param pplStderr     PPL·stderr(mean NLL), as llama.cpp's "+/-"
 * @param nllMean       mean negative log-likelihood, nats per token
 * @param nllStderr     standard error of nllMean
 * @param elapsedSeconds wall time of the scoring (tokenization excluded)
 */
public record PerplexityResult(String mode, int ctx, int stride, int chunks, int chunksPlanned, long tokensScored,
        long textTokens, double ppl, double pplStderr, double nllMean, double nllStderr, double elapsedSeconds,
        boolean complete) {

    /** Scored tokens per second of wall time. */
    public double tokensPerSecond() {
        return elapsedSeconds > 0 ? tokensScored / elapsedSeconds : Double.NaN;
    }
}
