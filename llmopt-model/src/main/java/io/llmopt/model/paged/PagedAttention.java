package io.llmopt.model.paged;

import io.llmopt.model.AttentionHead;
import io.llmopt.model.LlamaConfig;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.RangeTask;
import io.llmopt.tensor.kernel.WorkerPool;

/**
 * Grouped-query causal attention of every token of a {@link SequenceBatch} against its own sequence's blocks,
 * one token's heads of one kv head per work item ({@link AttentionHead#attendGroup}; an F16 or Q8_0 cache converted
 * to float32 a block at a time), where no kv head is shared heads 2m and 2m + 1 for a float32 cache
 * ({@link AttentionHead#attendPair}) and one (token, head) pair for the other caches. The arithmetic is that of the contiguous-cache attention of
 * {@code LlamaModel} position by position (same dot, same max/exp/sum order, same axpy), so a sequence gets the
 * same bits whether its cache is contiguous or paged (both call {@link AttentionHead}). An F16 cache is widened
 * exactly ({@code HalfRows}), a Q8_0 cache dequantized as q·d ({@code Q8Rows}), a block at a time, and then read
 * with the float32 kernels: the bits of a float32 cache holding those values. Legend: nH query heads, hd head size,
 * g = h / (nH / nKv).
 *
 * <pre>
 * q   [T][nH·hd]   query of token t at position[t] (RoPE applied)
 * K,V blocks       positions 0 .. position[t] of sequence[t] already written
 * out [T][nH·hd]   softmax(q·Kᵀ/√hd over the allowed positions)·V
 * </pre>
 * Allowed positions for query position p: max(0, p − window + 1) .. p (window 0 = unlimited).
 */
final class PagedAttention implements RangeTask {
    private final AttentionHead head;
    private final int heads;
    private final int headDim;
    private final int groupSize;
    private final int queryDim;
    private final int window;
    private final float[][] scores; // [worker][max(2, g)·context]: the heads of an item
    private final float[][] rows; // [worker][rowsLength(blockSize)]: a block of an F16 or Q8_0 cache converted to float32

    private int blockSize;
    private SequenceBatch batch;
    private float[] q;
    private float[] keys;
    private float[] values;
    private short[] halfKeys;
    private short[] halfValues;
    private byte[] quantKeys;
    private byte[] quantValues;
    private short[] keyScales;
    private short[] valueScales;
    private float[] out;

    PagedAttention(LlamaConfig c, Kernels kernels, int threads, int contextLength) {
        this.head = new AttentionHead(c, kernels);
        this.heads = c.numHeads();
        this.headDim = c.headDim();
        this.groupSize = c.groupSize();
        this.queryDim = c.queryDim();
        this.window = c.slidingWindow();
        this.scores = new float[threads][Math.max(2, groupSize) * contextLength];
        this.rows = new float[threads][0];
    }

    void run(PagedKvCache cache, int layer, SequenceBatch batch, float[] q, float[] out, int maxPosition, WorkerPool pool) {
        this.blockSize = cache.blockSize();
        if (cache.keys(layer) == null && rows[0].length < head.rowsLength(blockSize)) { // once per cache shape, not per step
            for (int w = 0; w < rows.length; w++) {
                rows[w] = new float[head.rowsLength(blockSize)];
            }
        }
        this.batch = batch;
        this.q = q;
        this.keys = cache.keys(layer);
        this.values = cache.values(layer);
        this.halfKeys = cache.halfKeys(layer);
        this.halfValues = cache.halfValues(layer);
        this.quantKeys = cache.quantKeys(layer);
        this.quantValues = cache.quantValues(layer);
        this.keyScales = cache.keyScales(layer);
        this.valueScales = cache.valueScales(layer);
        this.out = out;
        int work = 2 * headDim * (maxPosition + 1) * (heads / itemsPerToken());
        try {
            pool.run(batch.numTokens * itemsPerToken(), Math.max(1, (1 << 14) / Math.max(1, work)), this);
        } finally {
            this.keys = null;
            this.values = null;
            this.halfKeys = null;
            this.halfValues = null;
            this.quantKeys = null;
            this.quantValues = null;
            this.keyScales = null;
            this.valueScales = null;
            this.batch = null;
        }
    }

    /**
     * Work items per token: the heads of one kv head together where kv heads are shared
     * ({@link AttentionHead#attendGroup}), else head pairs for a float32 cache and single heads for the others.
     */
    private int itemsPerToken() {
        return groupSize >= 2 ? heads / groupSize : keys == null ? heads : (heads + 1) / 2;
    }

    @Override
    public void run(int worker, int from, int to) {
        float[] s = scores[worker];
        int items = itemsPerToken();
        for (int item = from; item < to; item++) {
            int t = item / items;
            int pos = batch.position[t];
            int[] table = batch.blockTable[batch.sequence[t]];
            int first = window > 0 ? Math.max(0, pos - window + 1) : 0;
            if (groupSize >= 2 || keys == null) { // a kv head's heads (one head where none is shared)
                int g = item % items, n = Math.max(1, groupSize);
                int qOff = t * queryDim + g * n * headDim;
                if (keys == null) {
                    head.attendGroup(q, qOff, n, halfKeys, halfValues, quantKeys, keyScales, quantValues, valueScales, table, blockSize,
                            g, first, pos, s, s.length / Math.max(2, groupSize), out, qOff, rows[worker]);
                } else {
                    head.attendGroup(q, qOff, n, keys, values, table, blockSize, g * blockSize * headDim, first, pos, s,
                            s.length / groupSize, out, qOff);
                }
                continue;
            }
            int h = 2 * (item % items);
            int qOff = t * queryDim + h * headDim;
            if (h + 1 < heads) {
                head.attendPair(q, qOff, qOff + headDim, keys, values, table, blockSize, h * blockSize * headDim,
                        (h + 1) * blockSize * headDim, first, pos, s, s.length / 2, out, qOff, qOff + headDim);
            } else {
                head.attend(q, qOff, keys, values, table, blockSize, h * blockSize * headDim, first, pos, s, out, qOff);
            }
        }
    }
}
