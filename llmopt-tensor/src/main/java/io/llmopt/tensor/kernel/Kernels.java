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
     * A hint that a[from, to) will be read soon: an implementation may issue prefetch instructions for those
     * lines. Never changes a result; the default does nothing.
     */
    default void prefetch(float[] a, int from, int to) {
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
