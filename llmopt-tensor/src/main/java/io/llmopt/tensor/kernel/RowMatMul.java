package io.llmopt.tensor.kernel;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;

/**
 * Matrix multiply shared by both kernel sets: each worker takes a range of weight rows, decodes a row once
 * (into its own scratch buffer, unless the kernel reads it in place) and dots it with every activation of
 * the batch. The job object is reused per calling thread, so a call allocates nothing.
 */
final class RowMatMul implements RangeTask {
    /** Multiply-adds below which a chunk is not worth handing to another thread. */
    private static final int MIN_CHUNK_WORK = 1 << 15;

    private final Kernels kernels;
    private float[][] scratch = new float[0][];
    private Tensor w;
    private float[] x;
    private int xOffset;
    private int batch;
    private float[] out;
    private int outOffset;
    private int rows;
    private int cols;

    RowMatMul(Kernels kernels) {
        this.kernels = kernels;
    }

    void run(Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset, WorkerPool pool) {
        if (w.rank() != 2) {
            throw new LlmoptException("matmul: weight '" + w.name() + "' must be 2-D, got rank " + w.rank());
        }
        this.rows = Math.toIntExact(w.dim(0));
        this.cols = Math.toIntExact(w.dim(1));
        if (xOffset + (long) batch * cols > x.length || outOffset + (long) batch * rows > out.length) {
            throw new IllegalArgumentException("matmul " + w + ": buffers too small for batch " + batch);
        }
        int threads = pool.threads();
        if (scratch.length < threads || scratch[0].length < cols) {
            float[][] s = new float[threads][];
            for (int i = 0; i < threads; i++) {
                s[i] = new float[Math.max(cols, scratch.length > 0 ? scratch[0].length : 0)];
            }
            scratch = s;
        }
        this.w = w;
        this.x = x;
        this.xOffset = xOffset;
        this.batch = batch;
        this.out = out;
        this.outOffset = outOffset;
        try {
            pool.run(rows, Math.max(1, MIN_CHUNK_WORK / Math.max(1, cols * batch)), this);
        } finally {
            this.w = null;
            this.x = null;
            this.out = null;
        }
    }

    @Override
    public void run(int worker, int from, int to) {
        float[] s = scratch[worker];
        if (batch == 1) {
            for (int r = from; r < to; r++) {
                out[outOffset + r] = kernels.dotRow(w, r, x, xOffset, s);
            }
            return;
        }
        for (int r = from; r < to; r++) {
            w.readRow(r, s, 0);
            for (int t = 0; t < batch; t++) {
                out[outOffset + t * rows + r] = kernels.dot(s, 0, x, xOffset + t * cols, cols);
            }
        }
    }
}
