package io.llmopt.model.paged;

import io.llmopt.model.AttentionHead;
import io.llmopt.model.LlamaConfig;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.RangeTask;
import io.llmopt.tensor.kernel.WorkerPool;

/**
 * Grouped-query causal attention of every token of a {@link SequenceBatch} against its own sequence's blocks,
 * one token's heads of one kv head per work item ({@link AttentionHead#attendGroup}; an F16 or Q8_0 cache converted
 * to float32 a run of blocks at a time), where no kv head is shared heads 2m and 2m + 1 for a float32 cache
 * ({@link AttentionHead#attendPair}) and one (token, head) pair for the other caches. In a step with prompt tokens, up
 * to {@link #BLOCK} consecutive prompt tokens of one sequence share a work item
 * ({@link AttentionHead#attendBlock}), so each run of cached blocks is read once for all of them. The arithmetic is that of the contiguous-cache attention of
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
    private final float[][] rows; // [worker][rowsLength(blockSize)]: a run of blocks of an F16 or Q8_0 cache converted to float32
    private final int[][] tiles; // [worker][blocks of a context]: the key tiles of a float32 cache's blocks

    /**
     * Consecutive prompt tokens of one sequence per work item, with the heads of one kv head (one head where none is
     * shared; {@link AttentionHead#attendBlock}): each run of cached blocks serves them from L1 (and an F16 or Q8_0 cache's
     * rows are converted once for them).
     */
    static final int BLOCK = 4;

    private int[] groupStart = new int[1]; // token groups of the step: group i is tokens groupStart[i] .. groupStart[i + 1] − 1
    private int groups;
    private boolean grouped;
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
        this.scores = new float[threads][BLOCK * Math.max(2, groupSize) * contextLength];
        this.rows = new float[threads][0];
        this.tiles = new int[threads][0];
    }

    void run(PagedKvCache cache, int layer, SequenceBatch batch, float[] q, float[] out, int maxPosition, WorkerPool pool) {
        this.blockSize = cache.blockSize();
        int blocks = maxPosition / blockSize + 1;
        if (cache.keys(layer) != null && tiles[0].length < blocks) {
            for (int w = 0; w < tiles.length; w++) {
                tiles[w] = new int[Math.max(blocks, 2 * tiles[w].length)];
            }
        }
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
        this.grouped = group(batch);
        try {
            if (grouped) {
                pool.run(groups * (heads / groupSize), 1, this);
                return;
            }
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
     * Splits the batch's tokens into groups of up to {@link #BLOCK} consecutive positions of one sequence (a prefill
     * chunk's tokens; a decoded token is a group of one); whether some group has more than one token.
     */
    private boolean group(SequenceBatch batch) {
        int n = batch.numTokens;
        if (groupStart.length < n + 1) {
            groupStart = new int[n + 1];
        }
        boolean several = false;
        groups = 0;
        for (int t = 0; t < n; ) {
            int len = 1;
            while (len < BLOCK && t + len < n && batch.sequence[t + len] == batch.sequence[t]
                    && batch.position[t + len] == batch.position[t] + len) {
                len++;
            }
            groupStart[groups++] = t;
            several |= len > 1;
            t += len;
        }
        groupStart[groups] = n;
        return several;
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
        if (grouped) {
            int items = heads / groupSize; // one per kv head and group of tokens
            for (int item = from; item < to; item++) {
                int gi = groups - 1 - item / items; // the last tokens see the most positions: they go first
                int g = item % items, t0 = groupStart[gi], n = groupStart[gi + 1] - t0, pos0 = batch.position[t0];
                int[] table = batch.blockTable[batch.sequence[t0]];
                int qOff = t0 * queryDim + g * groupSize * headDim;
                int first = window > 0 ? Math.max(0, pos0 - window + 1) : 0, stride = s.length / (BLOCK * groupSize);
                if (keys == null && n == 1) {
                    head.attendGroup(q, qOff, groupSize, halfKeys, halfValues, quantKeys, keyScales, quantValues, valueScales, table,
                            blockSize, g, first, pos0, s, stride, out, qOff, rows[worker]);
                } else if (keys == null) {
                    head.attendBlock(q, qOff, queryDim, n, groupSize, halfKeys, halfValues, quantKeys, keyScales, quantValues, valueScales,
                            table, blockSize, g, pos0, window, s, stride, out, rows[worker]);
                } else if (n == 1) {
                    head.attendGroup(q, qOff, groupSize, keys, values, table, blockSize, g * blockSize * headDim, first, pos0, s, stride,
                            out, qOff, tiles[worker]);
                } else {
                    head.attendBlock(q, qOff, queryDim, n, groupSize, keys, values, table, blockSize, g * blockSize * headDim, pos0,
                            window, s, stride, out, tiles[worker]);
                }
            }
            return;
        }
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
                            s.length / groupSize, out, qOff, tiles[worker]);
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
