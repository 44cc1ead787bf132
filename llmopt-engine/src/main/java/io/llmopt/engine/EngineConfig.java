package io.llmopt.engine;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.paged.KvCacheType;
import io.llmopt.model.paged.PagedKvCache;
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
 * @param kvCacheType       how keys/values are stored (--kv-cache-type f32|f16|q8_0)
 */
public record EngineConfig(int maxNumSeqs, int maxBatchedTokens, int kvCacheBlocks, int blockSize, int maxQueue,
        int contextLength, boolean prefixCaching, int threads, KvCacheType kvCacheType) {

    public EngineConfig {
        java.util.Objects.requireNonNull(kvCacheType, "kvCacheType");
        positive("max-num-seqs", maxNumSeqs);
        positive("max-batched-tokens", maxBatchedTokens);
        positive("kv-cache-blocks", kvCacheBlocks);
        positive("block-size", blockSize);
        positive("max-queue", maxQueue);
        positive("context length", contextLength);
        positive("threads", threads);
    }

    /** A float32 KV cache. */
    public EngineConfig(int maxNumSeqs, int maxBatchedTokens, int kvCacheBlocks, int blockSize, int maxQueue,
            int contextLength, boolean prefixCaching, int threads) {
        this(maxNumSeqs, maxBatchedTokens, kvCacheBlocks, blockSize, maxQueue, contextLength, prefixCaching, threads,
                KvCacheType.F32);
    }

    /** This config with keys/values stored as {@code type} (the block count is unchanged). */
    public EngineConfig withKvCacheType(KvCacheType type) {
        return new EngineConfig(maxNumSeqs, maxBatchedTokens, kvCacheBlocks, blockSize, maxQueue, contextLength,
                prefixCaching, threads, type);
    }

    /** {@link #blocksFor(LlamaConfig, long, int, KvCacheType)} for a float32 cache. */
    public static int blocksFor(LlamaConfig model, long bytes, int blockSize) {
        return blocksFor(model, bytes, blockSize, KvCacheType.F32);
    }

    /**
     * KV blocks that fit in {@code bytes} (the {@code --kv-cache-gb} budget) for this model: each block holds keys
     * and values of {@code blockSize} positions in every layer, stored as {@code type} (f16 blocks are half the
     * size, so twice as many fit).
     */
    public static int blocksFor(LlamaConfig model, long bytes, int blockSize, KvCacheType type) {
        positive("block-size", blockSize);
        long perBlock = PagedKvCache.bytesPerBlock(model, blockSize, type);
        long blocks = bytes / perBlock;
        if (blocks < 1) {
            throw new LlmoptException("a KV cache of " + bytes + " bytes holds no block: one block of " + blockSize
                    + " positions takes " + perBlock + " bytes");
        }
        return (int) Math.min(Integer.MAX_VALUE, blocks);
    }

    /** Bytes of the KV pool this config allocates for the model. */
    public long kvCacheBytes(LlamaConfig model) {
        return kvCacheBlocks * PagedKvCache.bytesPerBlock(model, blockSize, kvCacheType);
    }

    /** Defaults for a model: 16 sequences, 512 tokens per step, blocks of 16, the whole context, prefix caching. */
    public static EngineConfig defaults(LlamaConfig model, long kvCacheBytes, int threads) {
        return new EngineConfig(16, 512, blocksFor(model, kvCacheBytes, 16), 16, 256, model.contextLength(), true, threads);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new LlmoptException(name + " must be positive, got " + value);
        }
    }
}
