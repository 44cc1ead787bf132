package io.llmopt.engine;

import io.llmopt.tensor.LlmoptException;

/**
 * Engine sizing (the {@code serve} flags).
 *
 * @param maxNumSeqs        sequences in one batch at most (--max-num-seqs)
 * @param maxBatchedTokens  tokens (prefill chunks + decode tokens) in one step at most (--max-batched-tokens)
 * @param kvCacheBlocks     blocks in the KV pool (--kv-cache-blocks, or derived from --kv-cache-gb)
 * @param blockSize         positions per block (--block-size)
 * @param maxQueue          queued requests at most before submit throws EngineOverloadedException (--max-queue)
 * @param contextLength     positions per sequence at most (≤ the model's context)
 * @param prefixCaching     reuse full blocks by chained hashes
 * @param threads           kernel threads
 */
public record EngineConfig(int maxNumSeqs, int maxBatchedTokens, int kvCacheBlocks, int blockSize, int maxQueue,
        int contextLength, boolean prefixCaching, int threads) {

    public EngineConfig {
        positive("max-num-seqs", maxNumSeqs);
        positive("max-batched-tokens", maxBatchedTokens);
        positive("kv-cache-blocks", kvCacheBlocks);
        positive("block-size", blockSize);
        positive("max-queue", maxQueue);
        positive("context length", contextLength);
        positive("threads", threads);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new LlmoptException(name + " must be positive, got " + value);
        }
    }
}
