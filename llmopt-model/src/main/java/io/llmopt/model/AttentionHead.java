package io.llmopt.model;

import io.llmopt.tensor.kernel.Exp;
import io.llmopt.tensor.kernel.Kernels;
import java.util.Arrays;

/**
 * The attention of ONE query head against the keys/values of its kv head at positions first .. last, shared by the
 * contiguous cache ({@link CausalAttention}) and the paged one ({@code io.llmopt.model.paged}): scores
 * s_p = q·k_p·scale, a max-subtracted softmax summed in position order, then out = Σ_p (e_p / Σe)·v_p by axpy in
 * position order. Both callers therefore get the same bits for the same cached values.
 *
 * <pre>
 * slot of position p   contiguous (table == null): p·stride + kvOff
 *                      paged: table[p / blockSize]·blockSize·kvDim + (p % blockSize)·stride + kvOff
 * </pre>
 * The row stride is kvDim (rows of all kv heads per position: the F16 and Q8_0 paged caches; kvOff = g·headDim)
 * or headDim (one kv head's rows one after another: the contiguous {@link KvCache}, kvOff = g·contextLength·headDim,
 * and the F32 paged cache within each block, kvOff = g·blockSize·headDim).
 * Keys/values are float32 ({@code float[]}), IEEE binary16 ({@code short[]}, read through {@link HalfRows}) or
 * Q8_0 ({@code byte[]} quants + {@code short[]} scales at value offset / 32, read through {@link Q8Rows}).
 * Stateless apart from its sizes: the score scratch is the caller's (one per worker).
 */
public final class AttentionHead {
    private final Kernels kernels;
    private final int headDim;
    private final int rowStride;
    private final int kvDim;
    private final float scale;

    /** Rows of kvDim floats per position (the paged caches' layout). */
    public AttentionHead(LlamaConfig c, Kernels kernels) {
        this(c, kernels, c.kvDim());
    }

    /**
     * Rows {@code stride} floats apart: kvDim (a position's kv heads side by side) or headDim (a kv head's
     * positions side by side, {@link KvCache}); with headDim, {@link #attendGroup} prefetches the next chunk.
     */
    public AttentionHead(LlamaConfig c, Kernels kernels, int stride) {
        if (stride != c.kvDim() && stride != c.headDim()) {
            throw new IllegalArgumentException("row stride must be kvDim " + c.kvDim() + " or headDim " + c.headDim() + ", got " + stride);
        }
        this.kernels = kernels;
        this.headDim = c.headDim();
        this.rowStride = stride;
        this.kvDim = c.kvDim();
        this.scale = (float) (1.0 / Math.sqrt(c.headDim()));
    }

    /**
     * Float32 keys/values; {@code s} holds at least last − first + 1 scores. The rows of a run of consecutive
     * slots (the whole range when contiguous, a block's share when paged) go to the kernels' many-row
     * {@code dots}/{@code axpys}, which give the bits of one dot/axpy per position in position order.
     */
    public void attend(float[] q, int qOff, float[] keys, float[] values, int[] table, int blockSize, int kvOff,
            int first, int last, float[] s, float[] out, int outOff) {
        for (int p = first; p <= last; ) {
            int end = runEnd(table, blockSize, p, last);
            kernels.dots(q, qOff, keys, slot(table, blockSize, p, kvOff), rowStride, end - p + 1, headDim, s, p - first);
            p = end + 1;
        }
        int n = last - first + 1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = s[i] * scale;
            s[i] = v;
            max = Math.max(max, v);
        }
        float inv = softmax(s, n, max);
        for (int i = 0; i < n; i++) {
            s[i] *= inv;
        }
        Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int p = first; p <= last; ) {
            int end = runEnd(table, blockSize, p, last);
            kernels.axpys(s, p - first, values, slot(table, blockSize, p, kvOff), rowStride, end - p + 1, out, outOff, headDim);
            p = end + 1;
        }
    }

    /**
     * Two query heads of one token against float32 keys/values, with the bits of two {@link #attend} calls: their
     * scores at s[0 ..] and s[sB ..], their outputs at outOffA and outOffB. The two heads' sums run side by side
     * ({@link Kernels#axpys2}, and the softmax's max and Σ), so the dependent adds of one head overlap the
     * other's. For models whose heads each have their own kv head; heads sharing one take {@link #attendGroup}.
     */
    public void attendPair(float[] q, int qOffA, int qOffB, float[] keys, float[] values, int[] table, int blockSize,
            int kvOffA, int kvOffB, int first, int last, float[] s, int sB, float[] out, int outOffA, int outOffB) {
        for (int p = first; p <= last; ) {
            int end = runEnd(table, blockSize, p, last);
            int count = end - p + 1;
            kernels.dots(q, qOffA, keys, slot(table, blockSize, p, kvOffA), rowStride, count, headDim, s, p - first);
            kernels.dots(q, qOffB, keys, slot(table, blockSize, p, kvOffB), rowStride, count, headDim, s, sB + p - first);
            p = end + 1;
        }
        softmaxPair(s, 0, sB, last - first + 1);
        Arrays.fill(out, outOffA, outOffA + headDim, 0f);
        Arrays.fill(out, outOffB, outOffB + headDim, 0f);
        for (int p = first; p <= last; ) {
            int end = runEnd(table, blockSize, p, last);
            kernels.axpys2(s, p - first, sB + p - first, values, slot(table, blockSize, p, kvOffA), slot(table, blockSize, p, kvOffB),
                    rowStride, end - p + 1, out, outOffA, outOffB, headDim);
            p = end + 1;
        }
    }

    /**
     * The {@code heads} query heads of one kv head (at q[qOff ..], one after another; outputs likewise at outOff),
     * with the bits of one {@link #attend} per head: their scores at s[h·stride ..] (s holds heads·stride floats,
     * stride ≥ last − first + 1). The keys and values are read in chunks of {@link #CHUNK} positions, each chunk
     * by every head pair in turn, so a decoded token reads each cached row from memory once per kv head rather than
     * once per head pair.
     */
    public void attendGroup(float[] q, int qOff, int heads, float[] keys, float[] values, int[] table, int blockSize, int kvOff,
            int first, int last, float[] s, int stride, float[] out, int outOff) {
        boolean ahead = rowStride == headDim; // a chunk's rows are one range: prefetch the next while this one is read
        if (ahead) {
            prefetchChunk(keys, table, blockSize, kvOff, first, last, 0, 1);
        }
        int pairs = (heads + 1) / 2;
        for (int p = first; p <= last; ) {
            int end = Math.min(runEnd(table, blockSize, p, last), p + CHUNK - 1);
            int count = end - p + 1;
            int k = slot(table, blockSize, p, kvOff);
            for (int h = 0; h < heads; h += 2) {
                if (ahead) {
                    prefetchChunk(keys, table, blockSize, kvOff, end + 1, last, h / 2, pairs);
                }
                int qa = qOff + h * headDim, sa = h * stride + p - first;
                if (h + 1 < heads) {
                    kernels.dots2(q, qa, qa + headDim, keys, k, rowStride, count, headDim, s, sa, sa + stride);
                } else {
                    kernels.dots(q, qa, keys, k, rowStride, count, headDim, s, sa);
                }
            }
            p = end + 1;
        }
        if (ahead) {
            prefetchChunk(values, table, blockSize, kvOff, first, last, 0, 1);
        }
        softmaxHeads(s, 0, heads, stride, last - first + 1);
        Arrays.fill(out, outOff, outOff + heads * headDim, 0f);
        for (int p = first; p <= last; ) {
            int end = Math.min(runEnd(table, blockSize, p, last), p + CHUNK - 1);
            int count = end - p + 1;
            int v = slot(table, blockSize, p, kvOff);
            for (int h = 0; h < heads; h += 2) {
                if (ahead) {
                    prefetchChunk(values, table, blockSize, kvOff, end + 1, last, h / 2, pairs);
                }
                int oa = outOff + h * headDim, sa = h * stride + p - first;
                if (h + 1 < heads) {
                    kernels.axpys2(s, sa, sa + stride, values, v, v, rowStride, count, out, oa, oa + headDim, headDim);
                } else {
                    kernels.axpys(s, sa, values, v, rowStride, count, out, oa, headDim);
                }
            }
            p = end + 1;
        }
    }

    /**
     * {@link #attendGroup} for {@code tokens} consecutive tokens of one sequence (a prompt batch) against a
     * contiguous cache: token t sits at position pos0 + t, its {@code heads} query heads at q[qOff + t·qStride ..]
     * (output likewise at out[qOff + t·qStride ..]), and it sees positions max(0, pos0 + t − window + 1) .. pos0 + t
     * (window 0: from 0). Every chunk of {@link #CHUNK} cached rows is read by all the tokens' head pairs in turn
     * while it is in L1, instead of once per token from L2 or further. The scores of (t, h) go to s[(t·heads + h)·stride ..];
     * each score, softmax and weighted sum is computed as in {@link #attend}, so every output has the bits of one
     * {@link #attend} per token and head.
     */
    public void attendBlock(float[] q, int qOff, int qStride, int tokens, int heads, float[] keys, float[] values, int kvOff,
            int pos0, int window, float[] s, int stride, float[] out) {
        int lo = window > 0 ? Math.max(0, pos0 - window + 1) : 0, hi = pos0 + tokens - 1;
        for (int p = lo; p <= hi; p += CHUNK) {
            int end = Math.min(hi, p + CHUNK - 1);
            for (int t = 0; t < tokens; t++) {
                int f = window > 0 ? Math.max(0, pos0 + t - window + 1) : 0, a = Math.max(p, f), b = Math.min(end, pos0 + t);
                if (a > b) {
                    continue;
                }
                int row = a * rowStride + kvOff, count = b - a + 1;
                for (int h = 0; h < heads; h += 2) {
                    int qa = qOff + t * qStride + h * headDim, sa = (t * heads + h) * stride + a - f;
                    if (h + 1 < heads) {
                        kernels.dots2(q, qa, qa + headDim, keys, row, rowStride, count, headDim, s, sa, sa + stride);
                    } else {
                        kernels.dots(q, qa, keys, row, rowStride, count, headDim, s, sa);
                    }
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
                if (a > b) {
                    continue;
                }
                int row = a * rowStride + kvOff, count = b - a + 1;
                for (int h = 0; h < heads; h += 2) {
                    int oa = qOff + t * qStride + h * headDim, sa = (t * heads + h) * stride + a - f;
                    if (h + 1 < heads) {
                        kernels.axpys2(s, sa, sa + stride, values, row, row, rowStride, count, out, oa, oa + headDim, headDim);
                    } else {
                        kernels.axpys(s, sa, values, row, rowStride, count, out, oa, headDim);
                    }
                }
            }
        }
    }

    /**
     * With rows headDim apart: prefetches part {@code part} of {@code parts} of the chunk of rows that starts at
     * position p ({@link #attendGroup}'s next chunk; nothing if p &gt; last). Each head pair asks for its share,
     * so the requests are spread over the chunk's work instead of issued in one burst: on a decoded token at 2048
     * positions (one thread, keys and values from memory) attention took 5.2 ns per position and head without
     * prefetch, 3.7 with the whole next chunk requested at once, 3.2 spread (a throwaway harness, 2026-11-24).
     */
    private void prefetchChunk(float[] rows, int[] table, int blockSize, int kvOff, int p, int last, int part, int parts) {
        if (p > last) {
            return;
        }
        int count = Math.min(runEnd(table, blockSize, p, last), p + CHUNK - 1) - p + 1;
        int from = slot(table, blockSize, p, kvOff), length = count * headDim;
        kernels.prefetch(rows, from + (int) ((long) length * part / parts), from + (int) ((long) length * (part + 1) / parts));
    }

    /**
     * {@link #attendGroup} over a binary16 cache ({@code halfKeys} non-null) or a Q8_0 one (quants and binary16
     * scales): each chunk of {@link #CHUNK} rows is first converted to float32 in {@code rows} (at least
     * CHUNK·headDim floats; binary16 exactly, Q8_0 as q·d), then read by every head pair with the float32 kernels.
     * So the outputs have the bits of {@link #attendGroup} on a float32 cache holding the converted values, and the
     * heads of one kv head share each converted row instead of reading and converting it once per head.
     */
    public void attendGroup(float[] q, int qOff, int heads, short[] halfKeys, short[] halfValues, byte[] quantKeys,
            short[] keyScales, byte[] quantValues, short[] valueScales, int[] table, int blockSize, int kvOff, int first,
            int last, float[] s, int stride, float[] out, int outOff, float[] rows) {
        for (int p = first; p <= last; ) {
            int end = Math.min(runEnd(table, blockSize, p, last), p + CHUNK - 1);
            int count = end - p + 1;
            convert(halfKeys, quantKeys, keyScales, table, blockSize, kvOff, p, count, rows);
            for (int h = 0; h < heads; h += 2) {
                int qa = qOff + h * headDim, sa = h * stride + p - first;
                if (h + 1 < heads) {
                    kernels.dots2(q, qa, qa + headDim, rows, 0, headDim, count, headDim, s, sa, sa + stride);
                } else {
                    kernels.dots(q, qa, rows, 0, headDim, count, headDim, s, sa);
                }
            }
            p = end + 1;
        }
        softmaxHeads(s, 0, heads, stride, last - first + 1);
        Arrays.fill(out, outOff, outOff + heads * headDim, 0f);
        for (int p = first; p <= last; ) {
            int end = Math.min(runEnd(table, blockSize, p, last), p + CHUNK - 1);
            int count = end - p + 1;
            convert(halfValues, quantValues, valueScales, table, blockSize, kvOff, p, count, rows);
            for (int h = 0; h < heads; h += 2) {
                int oa = outOff + h * headDim, sa = h * stride + p - first;
                if (h + 1 < heads) {
                    kernels.axpys2(s, sa, sa + stride, rows, 0, 0, headDim, count, out, oa, oa + headDim, headDim);
                } else {
                    kernels.axpys(s, sa, rows, 0, headDim, count, out, oa, headDim);
                }
            }
            p = end + 1;
        }
    }

    /** rows[i·headDim ..] ← the float32 values of the row at position p + i, i &lt; count (binary16 or Q8_0). */
    private void convert(short[] half, byte[] quant, short[] scales, int[] table, int blockSize, int kvOff, int p, int count, float[] rows) {
        for (int i = 0; i < count; i++) {
            int o = slot(table, blockSize, p + i, kvOff);
            if (half != null) {
                HalfRows.toFloats(half, o, rows, i * headDim, headDim);
            } else {
                Q8Rows.toFloats(quant, scales, o, rows, i * headDim, headDim);
            }
        }
    }

    /** Positions per chunk of {@link #attendGroup}: 64 rows of keys of a 64- or 128-float head, 16–32 KB, stay in L1. */
    public static final int CHUNK = 64;

    /** {@link #attend}'s scaling and softmax for the n scores of each of {@code heads} heads at s[base + h·stride ..], two by two. */
    private void softmaxHeads(float[] s, int base, int heads, int stride, int n) {
        for (int h = 0; h < heads; h += 2) {
            int a = base + h * stride;
            if (h + 1 < heads) {
                softmaxPair(s, a, a + stride, n);
            } else {
                softmaxOne(s, a, n);
            }
        }
    }

    /** {@link #attend}'s scaling and softmax for the n scores at s[a ..] and at s[b ..], side by side. */
    private void softmaxPair(float[] s, int a, int b, int n) {
        float maxA = Float.NEGATIVE_INFINITY, maxB = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float x = s[a + i] * scale, y = s[b + i] * scale;
            s[a + i] = x;
            s[b + i] = y;
            maxA = Math.max(maxA, x);
            maxB = Math.max(maxB, y);
        }
        Exp.shifted(s, a, n, maxA);
        Exp.shifted(s, b, n, maxB);
        float sumA = 0f, sumB = 0f;
        for (int i = 0; i < n; i++) {
            sumA += s[a + i];
            sumB += s[b + i];
        }
        float invA = 1f / sumA, invB = 1f / sumB;
        for (int i = 0; i < n; i++) {
            s[a + i] *= invA;
            s[b + i] *= invB;
        }
    }

    /** {@link #attend}'s scaling and softmax for the n scores at s[a ..]. */
    private void softmaxOne(float[] s, int a, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float x = s[a + i] * scale;
            s[a + i] = x;
            max = Math.max(max, x);
        }
        Exp.shifted(s, a, n, max);
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += s[a + i];
        }
        float inv = 1f / sum;
        for (int i = 0; i < n; i++) {
            s[a + i] *= inv;
        }
    }

    /** Last position of the run of consecutive slots that starts at p (at most {@code last}). */
    private static int runEnd(int[] table, int blockSize, int p, int last) {
        return table == null ? last : Math.min(last, (p / blockSize + 1) * blockSize - 1);
    }

    /** Half-precision keys/values, widened exactly on the fly; same order of operations as the float32 path. */
    public void attend(float[] q, int qOff, short[] keys, short[] values, int[] table, int blockSize, int kvOff,
            int first, int last, float[] s, float[] out, int outOff) {
        float max = Float.NEGATIVE_INFINITY;
        for (int p = first; p <= last; p++) {
            float v = HalfRows.dot(q, qOff, keys, slot(table, blockSize, p, kvOff), headDim) * scale;
            s[p - first] = v;
            max = Math.max(max, v);
        }
        float inv = softmax(s, last - first + 1, max);
        Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int p = first; p <= last; p++) {
            HalfRows.axpy(s[p - first] * inv, values, slot(table, blockSize, p, kvOff), out, outOff, headDim);
        }
    }

    /** Q8_0 keys/values (quants and binary16 scales, see {@link Q8Rows}), dequantized inside dot and axpy. */
    public void attend(float[] q, int qOff, byte[] keys, short[] keyScales, byte[] values, short[] valueScales,
            int[] table, int blockSize, int kvOff, int first, int last, float[] s, float[] out, int outOff) {
        float max = Float.NEGATIVE_INFINITY;
        for (int p = first; p <= last; p++) {
            float v = Q8Rows.dot(q, qOff, keys, keyScales, slot(table, blockSize, p, kvOff), headDim) * scale;
            s[p - first] = v;
            max = Math.max(max, v);
        }
        float inv = softmax(s, last - first + 1, max);
        Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int p = first; p <= last; p++) {
            Q8Rows.axpy(s[p - first] * inv, values, valueScales, slot(table, blockSize, p, kvOff), out, outOff, headDim);
        }
    }

    private int slot(int[] table, int blockSize, int p, int kvOff) {
        return table == null ? p * rowStride + kvOff : table[p / blockSize] * blockSize * kvDim + p % blockSize * rowStride + kvOff;
    }

    /**
     * s[0..n) ← exp(s − max) in place ({@link Exp#shifted}: vector lanes, the bits of its scalar twin); returns
     * 1 / Σ, summed in position order. The scalar Math.exp it replaced took most of the attention's time in a
     * 512-token prefill (profile-decode --prompt, 2026-11-23).
     */
    private static float softmax(float[] s, int n, float max) {
        Exp.shifted(s, 0, n, max);
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += s[i];
        }
        return 1f / sum;
    }
}
