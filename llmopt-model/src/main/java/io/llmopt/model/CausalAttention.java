package io.llmopt.model;

import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.RangeTask;
import io.llmopt.tensor.kernel.WorkerPool;

/**
 * Grouped-query causal attention of a batch of T new tokens against the KV cache, one token's two query heads
 * 2m and 2m + 1 per work item ({@link AttentionHead#attendPair}: the bits of one head at a time). Legend: T tokens, nH query heads, nKv kv heads, hd head size, g = h / (nH / nKv).
 *
 * <pre>
 * q   [T][nH·hd]   query of token t at position startPos + t (RoPE applied)
 * K,V [ctx][nKv·hd] from the cache, positions 0 .. startPos + T − 1 already written
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
    private final float[][] scores; // [worker][2·ctx]: the two heads of an item

    private float[] q;
    private float[] keys;
    private float[] values;
    private float[] out;
    private int startPos;

    CausalAttention(LlamaConfig c, Kernels kernels, int threads, int contextLength) {
        this.head = new AttentionHead(c, kernels);
        this.heads = c.numHeads();
        this.headDim = c.headDim();
        this.groupSize = c.groupSize();
        this.queryDim = c.queryDim();
        this.window = c.slidingWindow();
        this.scores = new float[threads][2 * contextLength];
    }

    void run(float[] q, float[] keys, float[] values, float[] out, int tokens, int startPos, WorkerPool pool) {
        this.q = q;
        this.keys = keys;
        this.values = values;
        this.out = out;
        this.startPos = startPos;
        // an item (two heads) costs ~4·hd·(startPos + t) multiply-adds; keep chunks worth a thread hand-off
        int work = 4 * headDim * (startPos + tokens);
        pool.run(tokens * pairs(), Math.max(1, (1 << 14) / Math.max(1, work)), this);
    }

    /** Work items per token: heads 2m and 2m + 1 together (the last one alone if the count is odd). */
    private int pairs() {
        return (heads + 1) / 2;
    }

    @Override
    public void run(int worker, int from, int to) {
        float[] s = scores[worker];
        int pairs = pairs();
        int sB = s.length / 2;
        for (int item = from; item < to; item++) {
            int t = item / pairs;
            int h = 2 * (item % pairs);
            int pos = startPos + t;
            int first = window > 0 ? Math.max(0, pos - window + 1) : 0;
            int qOff = t * queryDim + h * headDim;
            if (h + 1 < heads) {
                head.attendPair(q, qOff, qOff + headDim, keys, values, null, 0, (h / groupSize) * headDim, ((h + 1) / groupSize) * headDim,
                        first, pos, s, sB, out, qOff, qOff + headDim);
            } else {
                head.attend(q, qOff, keys, values, null, 0, (h / groupSize) * headDim, first, pos, s, out, qOff);
            }
        }
    }
}
