package io.llmopt.tensor.kernel;

import io.llmopt.tensor.Tensor;

/**
 * The numerical kernels the model runs on. {@link ScalarKernels} is the reference (the specification);
 * {@link VectorKernels} mirrors it method for method with the Vector API. Pick one with
 * {@link KernelProvider#get()}.
 *
 * <p>Notation: W is a weight matrix [rows, cols] of any supported element type, x a batch of activations
 * [batch][cols] packed row after row, out [batch][rows].
 */
public interface Kernels {

    String name();

    /** Σ a[aOffset+i]·b[bOffset+i], i < n. */
    float dot(float[] a, int aOffset, float[] b, int bOffset, int n);

    /** y[yOffset+i] += alpha·x[xOffset+i], i < n. */
    void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n);

    /**
     * out[outOffset + i] = dot(q, qOffset, k, kOffset + i·stride, n) for i &lt; count (attention scores over cached
     * keys): the bits of those dot calls.
     */
    default void dots(float[] q, int qOffset, float[] k, int kOffset, int stride, int count, int n, float[] out, int outOffset) {
        for (int i = 0; i < count; i++) {
            out[outOffset + i] = dot(q, qOffset, k, kOffset + i * stride, n);
        }
    }

    /**
     * For i = 0, 1, … &lt; count in order, axpy(alpha[alphaOffset + i], x, xOffset + i·stride, y, yOffset, n)
     * (attention's weighted sum of cached values): the bits of those axpy calls.
     */
    default void axpys(float[] alpha, int alphaOffset, float[] x, int xOffset, int stride, int count, float[] y, int yOffset, int n) {
        for (int i = 0; i < count; i++) {
            axpy(alpha[alphaOffset + i], x, xOffset + i * stride, y, yOffset, n);
        }
    }

    /**
     * dots(q, qoA, k, kOffset, stride, count, n, out, ooA), then the same with qoB and ooB: two queries' scores
     * over the same keys (two query heads of one kv head), with the bits of those calls; an implementation may
     * read each key once for both.
     */
    default void dots2(float[] q, int qoA, int qoB, float[] k, int kOffset, int stride, int count, int n, float[] out, int ooA, int ooB) {
        dots(q, qoA, k, kOffset, stride, count, n, out, ooA);
        dots(q, qoB, k, kOffset, stride, count, n, out, ooB);
    }

    /**
     * Two {@link #axpys} over the same count of rows, into two outputs of one array: axpys(alpha, aoA, x, xoA,
     * stride, count, y, yoA, n), then the same with aoB, xoB, yoB (the outputs must not overlap): the bits of those
     * calls, but an implementation may run both at once (attention's weighted sums for two query heads).
     */
    default void axpys2(float[] alpha, int aoA, int aoB, float[] x, int xoA, int xoB, int stride, int count, float[] y, int yoA, int yoB, int n) {
        axpys(alpha, aoA, x, xoA, stride, count, y, yoA, n);
        axpys(alpha, aoB, x, xoB, stride, count, y, yoB, n);
    }

    /**
     * Attention scores against keys stored in tiles of {@code width} positions: a tile is [n][width] (element d of
     * the key in lane j at d·width + j) and the tiles follow one another (one every n·width floats). Position i
     * &lt; count is lane {@code lane} + i counted from the tile at t[to ..]; for query h &lt; heads (at q[qo + h·qs ..])
     * out[oo + h·os + i] = Σ_d q_d·k_d, d = 0 … n − 1, as a chain of fmas in d order starting from +0. Each score
     * is that chain whatever the kernel set or vector width, so an implementation may compute many positions and
     * heads at once (positions in vector lanes) and still give these bits.
     */
    default void tileDots(float[] q, int qo, int qs, int heads, float[] t, int to, int width, int lane, int count, int n,
            float[] out, int oo, int os) {
        for (int i = 0; i < count; i++) {
            int l = lane + i, k = to + l / width * n * width + l % width;
            for (int h = 0; h < heads; h++) {
                float s = 0f;
                for (int d = 0; d < n; d++) {
                    s = Math.fma(q[qo + h * qs + d], t[k + d * width], s);
                }
                out[oo + h * os + i] = s;
            }
        }
    }

    /**
     * {@link #tileDots} over tiles that need not follow one another (the blocks of a paged cache): tile i of the range
     * starts at t[tiles[ti + i]], so position i &lt; count is lane l = lane + i, found in the tile tiles[ti + l / width]
     * at lane l % width. Each score is the same chain of fmas as in {@link #tileDots}, so scoring a run of blocks in
     * one call gives the bits of one call per block.
     */
    default void tileDotsAt(float[] q, int qo, int qs, int heads, float[] t, int[] tiles, int ti, int width, int lane, int count,
            int n, float[] out, int oo, int os) {
        for (int i = 0; i < count; i++) {
            int l = lane + i, k = tiles[ti + l / width] + l % width;
            for (int h = 0; h < heads; h++) {
                float s = 0f;
                for (int d = 0; d < n; d++) {
                    s = Math.fma(q[qo + h * qs + d], t[k + d * width], s);
                }
                out[oo + h * os + i] = s;
            }
        }
    }

    /**
     * {@link #axpys} for {@code heads} outputs over the same rows (the query heads of one kv head): for h &lt; heads,
     * axpys(alpha, ao + h·as, x, xo, stride, count, y, yo + h·ys, n), with the bits of those calls (the outputs
     * must not overlap); an implementation may load each row once for several heads.
     */
    default void axpysHeads(float[] alpha, int ao, int as, int heads, float[] x, int xo, int stride, int count, float[] y, int yo,
            int ys, int n) {
        for (int h = 0; h < heads; h++) {
            axpys(alpha, ao + h * as, x, xo, stride, count, y, yo + h * ys, n);
        }
    }

    /**
     * A hint that a[from, to) will be read soon: an implementation may issue prefetch instructions for those
     * lines. Never changes a result; the default does nothing.
     */
    default void prefetch(float[] a, int from, int to) {
    }

    /** {@link #prefetch(float[], int, int)} for a short[] (a binary16 KV cache). */
    default void prefetch(short[] a, int from, int to) {
    }

    /** {@link #prefetch(float[], int, int)} for a byte[] (a q8_0 KV cache). */
    default void prefetch(byte[] a, int from, int to) {
    }

    /** Σ W[row, i]·x[xOffset+i] over the whole row; {@code scratch} holds at least cols floats. */
    float dotRow(Tensor w, long row, float[] x, int xOffset, float[] scratch);

    /**
     * out[outOffset + t·rows + r] = Σ_c W[r, c]·x[xOffset + t·cols + c] for t < batch, r < rows, computed on
     * the pool's threads (rows are split between them).
     */
    void matmul(Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset, WorkerPool pool);

    /**
     * out[i] = matmul(w[i], x) for several weights that multiply the same input (q/k/v, gate/up), each
     * output at offset 0: the same bits as calling {@link #matmul} once per weight, but an implementation
     * may run them as one pool dispatch (one barrier instead of one per weight).
     */
    default void matmulShared(Tensor[] w, float[] x, int xOffset, int batch, float[][] out, WorkerPool pool) {
        for (int i = 0; i < w.length; i++) {
            matmul(w[i], x, xOffset, batch, out[i], 0, pool);
        }
    }

    /**
     * The form of weight matrix {@code w} these kernels read fastest: {@code w} itself, or {@code w} with an
     * execution form of the same values attached (e.g. {@link io.llmopt.tensor.ColumnPanels}), built once —
     * call it at load time, not per multiply. A form may define its own order of summation (the column panels
     * do), so outputs can differ from the unprepared tensor's in the last bits; they are the same for every
     * batch size either way. The form is a copy: the tensor's bytes must not change afterwards (float matrices
     * get a form only when their memory is read-only, so weights pruned or trained in place keep their layout).
     */
    default Tensor prepare(Tensor w) {
        return w;
    }
}
