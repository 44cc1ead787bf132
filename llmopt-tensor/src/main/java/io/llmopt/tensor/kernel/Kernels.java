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
     * execution form of the same values attached (e.g. {@link io.llmopt.tensor.LanePackedQ4_0}), built once —
     * call it at load time, not per multiply. Outputs are the same bits either way. The form is a copy: the
     * tensor's bytes must not change afterwards (weights that are trained in place stay F32/F16, which keep
     * their layout).
     */
    default Tensor prepare(Tensor w) {
        return w;
    }
}
