package io.llmopt.eval;

import io.llmopt.tensor.LlmoptException;

/**
 * How to compute perplexity.
 *
 * @param contextLength tokens per chunk / window (llama.cpp's -c)
 * @param batchSize     tokens per forward call (llama.cpp's -b); only speed and memory depend on it
 * @param maxChunks     score at most this many chunks (windows in stride mode); 0 = all
 * @param stride        0 = llama.cpp's non-overlapping chunks; otherwise the sliding-window step
 */
public record PerplexityOptions(int contextLength, int batchSize, int maxChunks, int stride) {

    public PerplexityOptions {
        if (contextLength < 4) {
            throw new LlmoptException("context length (-c) must be at least 4, got " + contextLength);
        }
        if (batchSize < 1) {
            throw new LlmoptException("batch size (-b) must be positive, got " + batchSize);
        }
        if (maxChunks < 0) {
            throw new LlmoptException("--chunks must be >= 0, got " + maxChunks);
        }
        if (stride < 0 || stride > contextLength) {
            throw new LlmoptException("--stride must be in 0.." + contextLength + " (0 = llama.cpp chunks), got " + stride);
        }
    }

    /** llama.cpp's method at the given context, batch = min(ctx, 512), every chunk. */
    public static PerplexityOptions chunks(int contextLength) {
        return new PerplexityOptions(contextLength, Math.min(contextLength, 512), 0, 0);
    }

    public PerplexityOptions withMaxChunks(int n) {
        return new PerplexityOptions(contextLength, batchSize, n, stride);
    }

    public PerplexityOptions withBatchSize(int n) {
        return new PerplexityOptions(contextLength, n, maxChunks, stride);
    }

    public PerplexityOptions withStride(int s) {
        return new PerplexityOptions(contextLength, batchSize, maxChunks, s);
    }

    public String mode() {
        return stride == 0 ? "chunks" : "stride";
    }
}
