package io.llmopt.model;

import io.llmopt.tensor.kernel.SoftmaxRows;
import io.llmopt.tensor.kernel.Kernels;
import java.util.Arrays;

/**
 * The attention of ONE query head against the keys/values of its kv head at positions first .. last, shared by the
 * contiguous cache ({@link CausalAttention}) and the paged one ({@code io.llmopt.model.paged}): scores
 * s_p = q·k_p·scale, a max-subtracted softmax ({@link SoftmaxRows}: Σe in sixteen fixed partial sums), then
 * out = Σ_p (e_p / Σe)·v_p by axpy in position order. Both callers therefore get the same bits for the same cached values.
 *
 * <p>Float32 caches keep keys in tiles, dimension-major ({@link KvCache}): each score is a chain of fmas over the
 * head's dimensions ({@link Kernels#tileDots}), whatever the kernels and however many heads and positions are
 * scored together, so a head scored alone, with its group, or in a block of prompt tokens gets the same bits.
 * <pre>
 * contiguous (table == null)  key tile of p:  kvOff + (p / TILE)·TILE·headDim, lane p % TILE (TILE = KvCache.TILE)
 *                             value row of p: kvOff + p·headDim               (kvOff = g·storedPositions·headDim)
 * paged (float32)             key tile of p:  table[p / blockSize]·blockSize·kvDim + kvOff, lane p % blockSize
 *                             value row of p: that + (p % blockSize)·headDim  (kvOff = g·blockSize·headDim)
 * paged (binary16, Q8_0)      key tiles as float32 (converted a block at a time); value row of p:
 *                             table[p / blockSize]·blockSize·kvDim + (p % blockSize)·kvDim + g·headDim
 * </pre>
 * Binary16 keys/values are {@code short[]}, read through {@link HalfRows}; Q8_0 ones {@code byte[]} quants +
 * {@code short[]} scales at value offset / 32, read through {@link Q8Rows}. Stateless apart from its sizes: the
 * score scratch is the caller's (one per worker).
 */
public final class AttentionHead {
    private final Kernels kernels;
    private final int headDim;
    private final int kvDim;
    private final float scale;

    public AttentionHead(LlamaConfig c, Kernels kernels) {
        this.kernels = kernels;
        this.headDim = c.headDim();
        this.kvDim = c.kvDim();
        this.scale = (float) (1.0 / Math.sqrt(c.headDim()));
    }

    /** Float32 keys/values; {@code s} holds at least last − first + 1 scores. */
    public void attend(float[] q, int qOff, float[] keys, float[] values, int[] table, int blockSize, int kvOff,
            int first, int last, float[] s, float[] out, int outOff) {
        scores(q, qOff, 1, keys, table, blockSize, kvOff, first, last, s, 0, 0);
        SoftmaxRows.softmax(s, 0, last - first + 1, scale);
        Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int p = first; p <= last; ) {
            int end = runEnd(table, blockSize, p, last);
            kernels.axpys(s, p - first, values, valueRow(table, blockSize, p, kvOff), headDim, end - p + 1, out, outOff, headDim);
            p = end + 1;
        }
    }

    /**
     * Two query heads of one token against float32 keys/values, with the bits of two {@link #attend} calls: their
     * scores at s[0 ..] and s[sB ..], their outputs at outOffA and outOffB. The two heads' sums run side by side
     * ({@link Kernels#axpys2}), so the dependent adds of one head overlap the
     * other's. For models whose heads each have their own kv head; heads sharing one take {@link #attendGroup}.
     */
    public void attendPair(float[] q, int qOffA, int qOffB, float[] keys, float[] values, int[] table, int blockSize,
            int kvOffA, int kvOffB, int first, int last, float[] s, int sB, float[] out, int outOffA, int outOffB) {
        scores(q, qOffA, 1, keys, table, blockSize, kvOffA, first, last, s, 0, 0);
        scores(q, qOffB, 1, keys, table, blockSize, kvOffB, first, last, s, sB, 0);
        SoftmaxRows.softmax(s, 0, last - first + 1, scale);
        SoftmaxRows.softmax(s, sB, last - first + 1, scale);
        Arrays.fill(out, outOffA, outOffA + headDim, 0f);
        Arrays.fill(out, outOffB, outOffB + headDim, 0f);
        for (int p = first; p <= last; ) {
            int end = runEnd(table, blockSize, p, last);
            kernels.axpys2(s, p - first, sB + p - first, values, valueRow(table, blockSize, p, kvOffA),
                    valueRow(table, blockSize, p, kvOffB), headDim, end - p + 1, out, outOffA, outOffB, headDim);
            p = end + 1;
        }
    }

    /**
     * The {@code heads} query heads of one kv head (at q[qOff ..], one after another; outputs likewise at outOff),
     * with the bits of one {@link #attend} per head: their scores at s[h·stride ..] (s holds heads·stride floats,
     * stride ≥ last − first + 1). Keys and values are read in chunks of {@link #CHUNK} positions, each chunk by all
     * the heads ({@link Kernels#tileDots}, {@link Kernels#axpysHeads}) while the next chunk is prefetched, a share
     * per block of four heads, so a decoded token reads each cached row from memory once per kv head.
     */
    public void attendGroup(float[] q, int qOff, int heads, float[] keys, float[] values, int[] table, int blockSize, int kvOff,
            int first, int last, float[] s, int stride, float[] out, int outOff) {
        if (table != null && blockSize < CHUNK) { // allocates its tiles scratch: the paged engine passes its own (overload below)
            attendGroup(q, qOff, heads, keys, values, table, blockSize, kvOff, first, last, s, stride, out, outOff,
                    new int[last / blockSize - first / blockSize + 1]);
            return;
        }
        attendChunks(q, qOff, heads, keys, values, table, blockSize, kvOff, first, last, s, stride, out, outOff);
    }

    /**
     * {@link #attendGroup} over a paged float32 cache, with {@code tiles} (at least last / blockSize − first /
     * blockSize + 1 ints, the caller's scratch) receiving the key tiles of the range's blocks: the scores of a
     * {@link #CHUNK}-position run of blocks are one {@link Kernels#tileDotsAt} call per four heads, so blocks of 16
     * positions are scored four groups × four heads at a time as a contiguous chunk is, not one group per call.
     * The bits of {@link #attendGroup} (every score is the same chain of fmas).
     */
    public void attendGroup(float[] q, int qOff, int heads, float[] keys, float[] values, int[] table, int blockSize, int kvOff,
            int first, int last, float[] s, int stride, float[] out, int outOff, int[] tiles) {
        if (blockSize >= CHUNK) {
            attendChunks(q, qOff, heads, keys, values, table, blockSize, kvOff, first, last, s, stride, out, outOff);
            return;
        }
        int b0 = first / blockSize, blocks = last / blockSize - b0 + 1, run = CHUNK / blockSize, parts = (heads + 3) / 4;
        int tileLength = blockSize * headDim;
        for (int i = 0; i < blocks; i++) {
            tiles[i] = table[b0 + i] * blockSize * kvDim + kvOff;
        }
        prefetchTiles(keys, tiles, 0, Math.min(blocks, run), tileLength, 0, 1);
        for (int b = 0; b < blocks; b += run) {
            int p = Math.max(first, (b0 + b) * blockSize), end = Math.min(last, (b0 + b + run) * blockSize - 1);
            int next = Math.min(blocks, b + run), after = Math.min(blocks, next + run);
            for (int h = 0; h < heads; h += 4) {
                prefetchTiles(keys, tiles, next, after, tileLength, h / 4, parts);
                kernels.tileDotsAt(q, qOff + h * headDim, headDim, Math.min(4, heads - h), keys, tiles, b, blockSize, p % blockSize,
                        end - p + 1, headDim, s, h * stride + p - first, stride);
            }
        }
        weightedSums(heads, values, table, blockSize, kvOff, first, last, s, stride, out, outOff);
    }

    /** Part {@code part} of {@code parts} of the key tiles tiles[from .. to) ({@code length} floats each). */
    private void prefetchTiles(float[] keys, int[] tiles, int from, int to, int length, int part, int parts) {
        for (int i = from + (to - from) * part / parts, e = from + (to - from) * (part + 1) / parts; i < e; i++) {
            kernels.prefetch(keys, tiles[i], tiles[i] + length);
        }
    }

    /** {@link #attendGroup} in chunks of {@link #CHUNK} positions (a contiguous cache) or of one block (a paged one). */
    private void attendChunks(float[] q, int qOff, int heads, float[] keys, float[] values, int[] table, int blockSize, int kvOff,
            int first, int last, float[] s, int stride, float[] out, int outOff) {
        int width = width(table, blockSize), parts = (heads + 3) / 4;
        prefetchKeys(keys, table, blockSize, kvOff, first, last, 0, 1);
        for (int p = first; p <= last; ) {
            int end = Math.min(runEnd(table, blockSize, p, last), p + CHUNK - 1);
            int tile = keyTile(table, blockSize, p, kvOff);
            for (int h = 0; h < heads; h += 4) {
                prefetchKeys(keys, table, blockSize, kvOff, end + 1, last, h / 4, parts);
                kernels.tileDots(q, qOff + h * headDim, headDim, Math.min(4, heads - h), keys, tile, width, p % width, end - p + 1,
                        headDim, s, h * stride + p - first, stride);
            }
            p = end + 1;
        }
        weightedSums(heads, values, table, blockSize, kvOff, first, last, s, stride, out, outOff);
    }

    /**
     * The softmax of the {@code heads} heads' scores at s[h·stride ..] and out = Σ_p e_p·v_p over a float32 cache, in
     * chunks of at most {@link #CHUNK} positions within a block (so a paged cache's values go a block at a time: a run
     * of blocks at a time read slower), the next chunk prefetched a share per four heads.
     */
    private void weightedSums(int heads, float[] values, int[] table, int blockSize, int kvOff, int first, int last, float[] s,
            int stride, float[] out, int outOff) {
        int parts = (heads + 3) / 4;
        prefetchValues(values, table, blockSize, kvOff, first, last, 0, 1);
        softmaxHeads(s, 0, heads, stride, last - first + 1);
        Arrays.fill(out, outOff, outOff + heads * headDim, 0f);
        for (int p = first; p <= last; ) {
            int end = Math.min(runEnd(table, blockSize, p, last), p + CHUNK - 1);
            int row = valueRow(table, blockSize, p, kvOff);
            for (int h = 0; h < heads; h += 4) {
                prefetchValues(values, table, blockSize, kvOff, end + 1, last, h / 4, parts);
                kernels.axpysHeads(s, h * stride + p - first, stride, Math.min(4, heads - h), values, row, headDim, end - p + 1,
                        out, outOff + h * headDim, headDim, headDim);
            }
            p = end + 1;
        }
    }

    /**
     * {@link #attendGroup} for {@code tokens} consecutive tokens of one sequence (a prompt batch) against a
     * contiguous cache: token t sits at position pos0 + t, its {@code heads} query heads at q[qOff + t·qStride ..]
     * (output likewise at out[qOff + t·qStride ..]), and it sees positions max(0, pos0 + t − window + 1) .. pos0 + t
     * (window 0: from 0). Every chunk of {@link #CHUNK} cached positions is read by all the tokens' heads in turn
     * while it is in L1, instead of once per token from L2 or further. The scores of (t, h) go to s[(t·heads + h)·stride ..];
     * each score, softmax and weighted sum is computed as in {@link #attend}, so every output has the bits of one
     * {@link #attend} per token and head.
     */
    public void attendBlock(float[] q, int qOff, int qStride, int tokens, int heads, float[] keys, float[] values, int kvOff,
            int pos0, int window, float[] s, int stride, float[] out) {
        if (heads == 1 && window == 0) {
            attendTokens(q, qOff, qStride, tokens, keys, values, kvOff, pos0, s, stride, out);
            return;
        }
        int lo = window > 0 ? Math.max(0, pos0 - window + 1) : 0, hi = pos0 + tokens - 1;
        for (int p = lo; p <= hi; p += CHUNK) {
            int end = Math.min(hi, p + CHUNK - 1);
            for (int t = 0; t < tokens; t++) {
                int f = window > 0 ? Math.max(0, pos0 + t - window + 1) : 0, a = Math.max(p, f), b = Math.min(end, pos0 + t);
                if (a <= b) {
                    kernels.tileDots(q, qOff + t * qStride, headDim, heads, keys, keyTile(null, 0, a, kvOff), KvCache.TILE,
                            a % KvCache.TILE, b - a + 1, headDim, s, t * heads * stride + a - f, stride);
                }
            }
        }
        for (int t = 0; t < tokens; t++) {
            int n = pos0 + t - (window > 0 ? Math.max(0, pos0 + t - window + 1) : 0) + 1;
            softmaxHeads(s, t * heads * stride, heads, stride, n);
            Arrays.fill(out, qOff + t * qStride, qOff + t * qStride + heads * headDim, 0f);
        }
        for (int p = lo; p <= hi; p += CHUNK) {
            int end = Math.min(hi, p + CHUNK - 1);
            for (int t = 0; t < tokens; t++) {
                int f = window > 0 ? Math.max(0, pos0 + t - window + 1) : 0, a = Math.max(p, f), b = Math.min(end, pos0 + t);
                if (a <= b) {
                    kernels.axpysHeads(s, t * heads * stride + a - f, stride, heads, values, valueRow(null, 0, a, kvOff), headDim,
                            b - a + 1, out, qOff + t * qStride, headDim, headDim);
                }
            }
        }
    }

    /**
     * {@link #attendBlock} over a paged float32 cache: the tokens at positions pos0 .. pos0 + tokens − 1 of one
     * sequence (block table {@code table}), kv head offset kvOff as in {@link #attendGroup}. Each run of
     * {@link #CHUNK} positions' blocks is scored by all the tokens' heads in turn ({@link Kernels#tileDotsAt}) while
     * it is in L1, and its value rows summed likewise, instead of being read once per token. {@code tiles} is the
     * caller's scratch (at least (pos0 + tokens − 1) / blockSize + 1 ints). Every output has the bits of one
     * {@link #attend} per token and head.
     */
    public void attendBlock(float[] q, int qOff, int qStride, int tokens, int heads, float[] keys, float[] values, int[] table,
            int blockSize, int kvOff, int pos0, int window, float[] s, int stride, float[] out, int[] tiles) {
        int lo = window > 0 ? Math.max(0, pos0 - window + 1) : 0, hi = pos0 + tokens - 1;
        int b0 = lo / blockSize, blocks = hi / blockSize - b0 + 1, run = Math.max(1, CHUNK / blockSize);
        for (int i = 0; i < blocks; i++) {
            tiles[i] = table[b0 + i] * blockSize * kvDim + kvOff;
        }
        for (int b = 0; b < blocks; b += run) {
            int p = Math.max(lo, (b0 + b) * blockSize), end = Math.min(hi, (b0 + b + run) * blockSize - 1);
            for (int t = 0; t < tokens; t++) {
                int f = window > 0 ? Math.max(0, pos0 + t - window + 1) : 0, a = Math.max(p, f), e = Math.min(end, pos0 + t);
                if (a <= e) {
                    kernels.tileDotsAt(q, qOff + t * qStride, headDim, heads, keys, tiles, a / blockSize - b0, blockSize, a % blockSize,
                            e - a + 1, headDim, s, t * heads * stride + a - f, stride);
                }
            }
        }
        for (int t = 0; t < tokens; t++) {
            int n = pos0 + t - (window > 0 ? Math.max(0, pos0 + t - window + 1) : 0) + 1;
            softmaxHeads(s, t * heads * stride, heads, stride, n);
            Arrays.fill(out, qOff + t * qStride, qOff + t * qStride + heads * headDim, 0f);
        }
        for (int b = 0; b < blocks; b += run) {
            int p = Math.max(lo, (b0 + b) * blockSize), end = Math.min(hi, (b0 + b + run) * blockSize - 1);
            for (int t = 0; t < tokens; t++) {
                int f = window > 0 ? Math.max(0, pos0 + t - window + 1) : 0, a = Math.max(p, f), e = Math.min(end, pos0 + t);
                for (int x = a; x <= e; ) { // rows are consecutive within a block only
                    int xe = Math.min(e, (x / blockSize + 1) * blockSize - 1);
                    kernels.axpysHeads(s, t * heads * stride + x - f, stride, heads, values, valueRow(table, blockSize, x, kvOff), headDim,
                            xe - x + 1, out, qOff + t * qStride, headDim, headDim);
                    x = xe + 1;
                }
            }
        }
    }

    /**
     * {@link #attendBlock} for one head per kv head and no window: the tokens' queries (qStride apart) are scored
     * together as the heads of one call ({@link Kernels#tileDots}), each over all the block's positions (a token's
     * scores past its own position are computed and never read), and their weighted sums share each value row up to
     * pos0 ({@link Kernels#axpysHeads}); token t then adds positions pos0 + 1 .. pos0 + t alone. Every sum runs in
     * position order, so the outputs keep the bits of one {@link #attend} per token.
     */
    private void attendTokens(float[] q, int qOff, int qStride, int tokens, float[] keys, float[] values, int kvOff, int pos0,
            float[] s, int stride, float[] out) {
        int hi = pos0 + tokens - 1;
        for (int p = 0; p <= hi; p += CHUNK) {
            int end = Math.min(hi, p + CHUNK - 1);
            kernels.tileDots(q, qOff, qStride, tokens, keys, keyTile(null, 0, p, kvOff), KvCache.TILE, p % KvCache.TILE, end - p + 1,
                    headDim, s, p, stride);
        }
        for (int t = 0; t < tokens; t++) {
            softmaxHeads(s, t * stride, 1, stride, pos0 + t + 1);
            Arrays.fill(out, qOff + t * qStride, qOff + t * qStride + headDim, 0f);
        }
        for (int p = 0; p <= hi; p += CHUNK) {
            int end = Math.min(hi, p + CHUNK - 1), shared = Math.min(end, pos0) - p + 1;
            if (shared > 0) {
                kernels.axpysHeads(s, p, stride, tokens, values, valueRow(null, 0, p, kvOff), headDim, shared, out, qOff, qStride, headDim);
            }
            for (int t = 1; t < tokens; t++) {
                int a = Math.max(p, pos0 + 1), b = Math.min(end, pos0 + t);
                if (a <= b) {
                    kernels.axpys(s, t * stride + a, values, valueRow(null, 0, a, kvOff), headDim, b - a + 1, out, qOff + t * qStride, headDim);
                }
            }
        }
    }

    /** s[so + h·ss + p − first] ← q_h·k_p for p in first .. last and the heads at q[qo + h·headDim ..], h &lt; heads. */
    private void scores(float[] q, int qo, int heads, float[] keys, int[] table, int blockSize, int kvOff, int first, int last,
            float[] s, int so, int ss) {
        int width = width(table, blockSize);
        for (int p = first; p <= last; ) {
            int end = runEnd(table, blockSize, p, last);
            kernels.tileDots(q, qo, headDim, heads, keys, keyTile(table, blockSize, p, kvOff), width, p % width, end - p + 1, headDim,
                    s, so + p - first, ss);
            p = end + 1;
        }
    }

    /** Positions per key tile: {@link KvCache#TILE} in a contiguous cache, the block in a paged one. */
    private static int width(int[] table, int blockSize) {
        return table == null ? KvCache.TILE : blockSize;
    }

    /** Offset of the key tile that holds position p (float32 caches). */
    private int keyTile(int[] table, int blockSize, int p, int kvOff) {
        return table == null ? kvOff + p / KvCache.TILE * KvCache.TILE * headDim : table[p / blockSize] * blockSize * kvDim + kvOff;
    }

    /** Offset of position p's value row (float32 caches). */
    private int valueRow(int[] table, int blockSize, int p, int kvOff) {
        return table == null ? kvOff + p * headDim : table[p / blockSize] * blockSize * kvDim + kvOff + p % blockSize * headDim;
    }

    /**
     * Prefetches part {@code part} of {@code parts} of the key tiles of the chunk that starts at position p
     * ({@link #attendGroup}'s next chunk; nothing if p &gt; last). Each block of heads asks for its share, so the
     * requests are spread over the chunk's work instead of issued in one burst: on a decoded token at 2048
     * positions (one thread, keys and values from memory) attention took 5.2 ns per position and head without
     * prefetch, 3.7 with the whole next chunk requested at once, 3.2 spread (a throwaway harness, 2026-11-24).
     */
    private void prefetchKeys(float[] keys, int[] table, int blockSize, int kvOff, int p, int last, int part, int parts) {
        if (p <= last) {
            int end = Math.min(runEnd(table, blockSize, p, last), p + CHUNK - 1), width = width(table, blockSize);
            int from = keyTile(table, blockSize, p, kvOff), to = keyTile(table, blockSize, end, kvOff) + width * headDim;
            prefetch(keys, from, to, part, parts);
        }
    }

    /** {@link #prefetchKeys} for the value rows. */
    private void prefetchValues(float[] values, int[] table, int blockSize, int kvOff, int p, int last, int part, int parts) {
        if (p <= last) {
            int end = Math.min(runEnd(table, blockSize, p, last), p + CHUNK - 1);
            prefetch(values, valueRow(table, blockSize, p, kvOff), valueRow(table, blockSize, end, kvOff) + headDim, part, parts);
        }
    }

    private void prefetch(float[] a, int from, int to, int part, int parts) {
        int length = to - from;
        kernels.prefetch(a, from + (int) ((long) length * part / parts), from + (int) ((long) length * (part + 1) / parts));
    }

    /**
     * {@link #attendGroup} over a paged binary16 cache ({@code halfKeys} non-null) or Q8_0 one (quants and binary16
     * scales; layouts in {@code PagedKvCache}) for kv head {@code kvHead}. The blocks are taken a {@link #CHUNK}-position
     * run at a time: their key tiles are converted to float32 one after another in {@code rows} (binary16 exactly, Q8_0
     * as q·d; {@code rows} holds at least {@link #rowsLength} floats) and scored by all the heads in one
     * {@link Kernels#tileDots} call; their value rows likewise, then summed with one {@link Kernels#axpysHeads} call.
     * The next run's blocks are prefetched while a run is converted. So the outputs have the bits of
     * {@link #attendGroup} on a float32 cache holding the converted values, and the heads of one kv head share each
     * converted row.
     */
    public void attendGroup(float[] q, int qOff, int heads, short[] halfKeys, short[] halfValues, byte[] quantKeys,
            short[] keyScales, byte[] quantValues, short[] valueScales, int[] table, int blockSize, int kvHead, int first,
            int last, float[] s, int stride, float[] out, int outOff, float[] rows) {
        int run = Math.max(1, CHUNK / blockSize), b0 = first / blockSize, blocks = last / blockSize - b0 + 1;
        for (int b = 0; b < blocks; b += run) {
            int stop = Math.min(blocks, b + run), start = (b0 + b) * blockSize;
            int p = Math.max(first, start), end = Math.min(last, (b0 + stop) * blockSize - 1);
            convertKeys(halfKeys, quantKeys, keyScales, table, blockSize, kvHead, b0, b, stop, blocks, rows);
            kernels.tileDots(q, qOff, headDim, heads, rows, 0, blockSize, p - start, end - p + 1, headDim, s, p - first, stride);
        }
        softmaxHeads(s, 0, heads, stride, last - first + 1);
        Arrays.fill(out, outOff, outOff + heads * headDim, 0f);
        for (int b = 0; b < blocks; b += run) {
            int stop = Math.min(blocks, b + run), start = (b0 + b) * blockSize;
            int p = Math.max(first, start), end = Math.min(last, (b0 + stop) * blockSize - 1);
            convertValues(halfValues, quantValues, valueScales, table, blockSize, kvHead, b0, b, stop, blocks, p, end, rows);
            kernels.axpysHeads(s, p - first, stride, heads, rows, (p - start) * headDim, headDim, end - p + 1, out, outOff, headDim,
                    headDim);
        }
    }

    /**
     * {@link #attendBlock} over a paged binary16 or Q8_0 cache (arguments as for the binary16/Q8_0
     * {@link #attendGroup}, kv head {@code kvHead}): each run of blocks is converted to float32 once and read by all the
     * tokens' heads, keys and then values, so a prompt's group of tokens converts every cached row once instead of
     * once per token. Every output has the bits of that {@link #attendGroup} per token (and of {@link #attend} per head
     * on a float32 cache holding the converted values).
     */
    public void attendBlock(float[] q, int qOff, int qStride, int tokens, int heads, short[] halfKeys, short[] halfValues,
            byte[] quantKeys, short[] keyScales, byte[] quantValues, short[] valueScales, int[] table, int blockSize, int kvHead,
            int pos0, int window, float[] s, int stride, float[] out, float[] rows) {
        int lo = window > 0 ? Math.max(0, pos0 - window + 1) : 0, hi = pos0 + tokens - 1;
        int run = Math.max(1, CHUNK / blockSize), b0 = lo / blockSize, blocks = hi / blockSize - b0 + 1;
        for (int b = 0; b < blocks; b += run) {
            int stop = Math.min(blocks, b + run), start = (b0 + b) * blockSize;
            int p = Math.max(lo, start), end = Math.min(hi, (b0 + stop) * blockSize - 1);
            convertKeys(halfKeys, quantKeys, keyScales, table, blockSize, kvHead, b0, b, stop, blocks, rows);
            for (int t = 0; t < tokens; t++) {
                int f = window > 0 ? Math.max(0, pos0 + t - window + 1) : 0, a = Math.max(p, f), e = Math.min(end, pos0 + t);
                if (a <= e) {
                    kernels.tileDots(q, qOff + t * qStride, headDim, heads, rows, 0, blockSize, a - start, e - a + 1, headDim, s,
                            t * heads * stride + a - f, stride);
                }
            }
        }
        for (int t = 0; t < tokens; t++) {
            int n = pos0 + t - (window > 0 ? Math.max(0, pos0 + t - window + 1) : 0) + 1;
            softmaxHeads(s, t * heads * stride, heads, stride, n);
            Arrays.fill(out, qOff + t * qStride, qOff + t * qStride + heads * headDim, 0f);
        }
        for (int b = 0; b < blocks; b += run) {
            int stop = Math.min(blocks, b + run), start = (b0 + b) * blockSize;
            int p = Math.max(lo, start), end = Math.min(hi, (b0 + stop) * blockSize - 1);
            convertValues(halfValues, quantValues, valueScales, table, blockSize, kvHead, b0, b, stop, blocks, p, end, rows);
            for (int t = 0; t < tokens; t++) {
                int f = window > 0 ? Math.max(0, pos0 + t - window + 1) : 0, a = Math.max(p, f), e = Math.min(end, pos0 + t);
                if (a <= e) {
                    kernels.axpysHeads(s, t * heads * stride + a - f, stride, heads, rows, (a - start) * headDim, headDim, e - a + 1, out,
                            qOff + t * qStride, headDim, headDim);
                }
            }
        }
    }

    /**
     * Converts kv head g's key tiles of the blocks at table indices b0 + i, i in [b, stop), to float32 tiles one after
     * another at rows[0 ..], prefetching the blocks one run ({@code stop − b}) further on (up to b0 + blocks), and the
     * first run's too when b = 0.
     */
    private void convertKeys(short[] halfKeys, byte[] quantKeys, short[] keyScales, int[] table, int blockSize, int g, int b0, int b,
            int stop, int blocks, float[] rows) {
        int tileLength = blockSize * headDim, perRow = kvDim / Q8Rows.BLOCK, run = Math.max(1, CHUNK / blockSize);
        for (int i = b; i < stop; i++) {
            prefetchAhead(halfKeys, quantKeys, false, table, blockSize, g, b0, i, stop, blocks);
            int block = table[b0 + i], tile = block * blockSize * kvDim + g * tileLength;
            if (halfKeys != null) {
                HalfRows.toFloats(halfKeys, tile, rows, (i - b) * tileLength, tileLength);
            } else {
                Q8Rows.tileToFloats(quantKeys, tile, keyScales, block * blockSize * perRow, perRow, g * headDim, blockSize, headDim,
                        rows, (i - b) * tileLength, rows, run * tileLength);
            }
        }
    }

    /**
     * Converts kv head g's value rows of positions from .. to (inside the blocks at table indices b0 + [b, stop)) to
     * float32 rows at rows[(x − (b0 + b)·blockSize)·headDim ..] for position x, prefetching as {@link #convertKeys}.
     */
    private void convertValues(short[] halfValues, byte[] quantValues, short[] valueScales, int[] table, int blockSize, int g, int b0,
            int b, int stop, int blocks, int from, int to, float[] rows) {
        int tileLength = blockSize * headDim, start = (b0 + b) * blockSize;
        for (int i = b; i < stop; i++) {
            prefetchAhead(halfValues, quantValues, true, table, blockSize, g, b0, i, stop, blocks);
            int block = table[b0 + i], x0 = Math.max(from, (b0 + i) * blockSize), x1 = Math.min(to, (b0 + i + 1) * blockSize - 1);
            if (halfValues != null) { // the kv head's rows of a block are one range: [slot][headDim]
                HalfRows.toFloats(halfValues, block * blockSize * kvDim + g * tileLength + x0 % blockSize * headDim, rows,
                        (x0 - start) * headDim, (x1 - x0 + 1) * headDim);
            } else {
                for (int x = x0; x <= x1; x++) {
                    Q8Rows.toFloats(quantValues, valueScales, slot(table, blockSize, x, g * headDim), rows, (x - start) * headDim, headDim);
                }
            }
        }
    }

    /**
     * Before block i of a run ending at stop is converted (keys or values of kv head g): when it is the first block of
     * all, prefetches the first run; then the block one run further on, if there is one.
     */
    private void prefetchAhead(short[] half, byte[] quant, boolean values, int[] table, int blockSize, int g, int b0, int i, int stop,
            int blocks) {
        int run = Math.max(1, CHUNK / blockSize);
        if (i == 0) {
            for (int j = 0; j < stop; j++) {
                prefetchBlock(half, quant, values, table, blockSize, b0 + j, g);
            }
        }
        if (i + run < blocks) {
            prefetchBlock(half, quant, values, table, blockSize, b0 + i + run, g);
        }
    }

    private void prefetchBlock(short[] half, byte[] quant, boolean values, int[] table, int blockSize, int b, int g) {
        if (values) {
            prefetchValueBlock(half, quant, table, blockSize, b, g);
        } else {
            prefetchKeyBlock(half, quant, table, blockSize, b, g);
        }
    }

    /** Prefetches kv head g's key tile of the paged binary16 or Q8_0 cache's block at index b of the table. */
    private void prefetchKeyBlock(short[] halfKeys, byte[] quantKeys, int[] table, int blockSize, int b, int g) {
        int tileLength = blockSize * headDim, tile = table[b] * blockSize * kvDim + g * tileLength;
        if (halfKeys != null) {
            kernels.prefetch(halfKeys, tile, tile + tileLength);
        } else {
            kernels.prefetch(quantKeys, tile, tile + tileLength);
        }
    }

    /**
     * Prefetches kv head g's value rows of the block at index b of the table: one range in a binary16 cache; in a Q8_0
     * cache, whose rows hold every kv head, the block's rows (the other kv heads' items read them next).
     */
    private void prefetchValueBlock(short[] halfValues, byte[] quantValues, int[] table, int blockSize, int b, int g) {
        int tileLength = blockSize * headDim, block = table[b] * blockSize * kvDim;
        if (halfValues != null) {
            kernels.prefetch(halfValues, block + g * tileLength, block + (g + 1) * tileLength);
        } else {
            kernels.prefetch(quantValues, block, block + blockSize * kvDim);
        }
    }

    /**
     * Floats of the {@code rows} scratch of the binary16/Q8_0 {@link #attendGroup} for blocks of blockSize positions: a
     * {@link #CHUNK}-position run of blocks, plus the Q8_0 key tile's scales.
     */
    public int rowsLength(int blockSize) {
        int run = Math.max(1, CHUNK / blockSize);
        return run * blockSize * headDim + (headDim / Q8Rows.BLOCK + 2) * blockSize;
    }

    /** Positions per chunk of {@link #attendGroup}: 64 rows of keys of a 64- or 128-float head, 16–32 KB, stay in L1. */
    public static final int CHUNK = 64;

    /** {@link #attend}'s scaling and softmax ({@link SoftmaxRows}) for the n scores of each of {@code heads} heads at s[base + h·stride ..]. */
    private void softmaxHeads(float[] s, int base, int heads, int stride, int n) {
        for (int h = 0; h < heads; h++) {
            SoftmaxRows.softmax(s, base + h * stride, n, scale);
        }
    }

    /** Last position of the run of consecutive slots that starts at p (at most {@code last}). */
    private static int runEnd(int[] table, int blockSize, int p, int last) {
        return table == null ? last : Math.min(last, (p / blockSize + 1) * blockSize - 1);
    }

    /** Offset of position p's value row in a paged binary16 or Q8_0 cache (rows of kvDim). */
    private int slot(int[] table, int blockSize, int p, int kvOff) {
        return table[p / blockSize] * blockSize * kvDim + p % blockSize * kvDim + kvOff;
    }
}
