package io.llmopt.model;

import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.RangeTask;
import io.llmopt.tensor.kernel.WorkerPool;

/**
 * Grouped-query causal attention of a batch of T new tokens against the KV cache. A decoded token: its query heads
 * of one kv head per work item ({@link AttentionHead#attendGroup}), or two heads where every head has its own kv head
 * ({@link AttentionHead#attendPair}). A prompt batch: {@link #BLOCK} tokens' heads of one kv head per work item
 * ({@link AttentionHead#attendBlock}). The bits of one head at a time either way. Legend: T tokens, nH query heads,
 * nKv kv heads, hd head size, g = h / (nH / nKv).
 *
 * <pre>
 * q   [T][nH·hd]   query of token t at position startPos + t (RoPE applied)
 * K   [nKv][ctx/16][hd][16], V [nKv][ctx][hd] from the cache ({@link KvCache}: key tiles, value rows), positions 0 .. startPos + T − 1 written
 * out [T][nH·hd]   softmax(q·Kᵀ/√hd over the allowed positions)·V
 * </pre>
 * Allowed positions for query position p: max(0, p − window + 1) .. p (window 0 = unlimited). The per-head
 * arithmetic is {@link AttentionHead}'s, shared with the paged cache.
 */
final class CausalAttention implements RangeTask {
    private final AttentionHead head;
    private final int heads;
    private final int headDim;
    private final int groupSize;
    private final int queryDim;
    private final int window;
    private final int headStride; // stored positions·hd: from one kv head's keys/values to the next's
    private final float[][] scores; // [worker][block·max(2, g)·ctx]: the heads of an item
    /** Tokens of a prompt batch per work item ({@link AttentionHead#attendBlock}), at most the state's batch. */
    private final int block;

    private float[] q;
    private float[] keys;
    private float[] values;
    private float[] out;
    private int startPos;
    private int tokens;

    /**
     * Prompt tokens per work item: each chunk of cached rows serves this many tokens' heads from L1 (with one head per kv
     * head, the tokens' queries are scored together, as a group's heads are).
     */
    static final int BLOCK = 4;

    CausalAttention(LlamaConfig c, Kernels kernels, int threads, int contextLength, int maxBatch) {
        this.head = new AttentionHead(c, kernels);
        this.headStride = KvCache.storedPositions(contextLength) * c.headDim();
        this.heads = c.numHeads();
        this.headDim = c.headDim();
        this.groupSize = c.groupSize();
        this.queryDim = c.queryDim();
        this.window = c.slidingWindow();
        this.block = Math.max(1, Math.min(BLOCK, maxBatch));
        this.scores = new float[threads][block * Math.max(2, groupSize) * contextLength];
    }

    void run(float[] q, float[] keys, float[] values, float[] out, int tokens, int startPos, WorkerPool pool) {
        this.q = q;
        this.keys = keys;
        this.values = values;
        this.out = out;
        this.startPos = startPos;
        this.tokens = tokens;
        // an item costs ~2·hd·(startPos + t) multiply-adds per head; keep chunks worth a thread hand-off
        int work = 2 * headDim * (startPos + tokens) * (heads / itemsPerToken());
        if (tokens > 1 && block > 1) {
            pool.run(((tokens + block - 1) / block) * (heads / groupSize), 1, this);
            return;
        }
        pool.run(tokens * itemsPerToken(), Math.max(1, (1 << 14) / Math.max(1, work)), this);
    }

    /**
     * Work items per token: the heads of one kv head together ({@link AttentionHead#attendGroup}, reading each
     * cached row once for all of them) where kv heads are shared, else heads 2m and 2m + 1 (the last one alone if the
     * count is odd).
     */
    private int itemsPerToken() {
        return groupSize >= 2 ? heads / groupSize : (heads + 1) / 2;
    }

    @Override
    public void run(int worker, int from, int to) {
        float[] s = scores[worker];
        if (tokens > 1 && block > 1) {
            int items = heads / groupSize; // one per kv head and block of tokens
            int blocks = (tokens + block - 1) / block;
            for (int item = from; item < to; item++) {
                int b = blocks - 1 - item / items; // the last tokens see the most positions: they go first
                int g = item % items, t0 = b * block, n = Math.min(block, tokens - t0);
                head.attendBlock(q, t0 * queryDim + g * groupSize * headDim, queryDim, n, groupSize, keys, values, g * headStride,
                        startPos + t0, window, s, s.length / (block * groupSize), out);
            }
            return;
        }
        int items = itemsPerToken();
        for (int item = from; item < to; item++) {
            int t = item / items;
            int pos = startPos + t;
            int first = window > 0 ? Math.max(0, pos - window + 1) : 0;
            if (groupSize >= 2) {
                int g = item % items;
                int qOff = t * queryDim + g * groupSize * headDim;
                head.attendGroup(q, qOff, groupSize, keys, values, null, 0, g * headStride, first, pos, s, s.length / groupSize, out, qOff);
                continue;
            }
            int h = 2 * (item % items);
            int qOff = t * queryDim + h * headDim;
            if (h + 1 < heads) {
                head.attendPair(q, qOff, qOff + headDim, keys, values, null, 0, h * headStride, (h + 1) * headStride,
                        first, pos, s, s.length / 2, out, qOff, qOff + headDim);
            } else {
                head.attend(q, qOff, keys, values, null, 0, h * headStride, first, pos, s, out, qOff);
            }
        }
    }
}
