package io.llmopt.tensor.kernel;

import io.llmopt.tensor.Tensor;

/** Plain-Java reference kernels: sequential loops, one accumulator, the order a reader expects. */
public final class ScalarKernels implements Kernels {
    private final ThreadLocal<RowMatMul> jobs = ThreadLocal.withInitial(() -> new RowMatMul(this));

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
        for (int i = 0; i < n; i++) {
            y[yOffset + i] += alpha * x[xOffset + i];
        }
    }

    @Override
    public float dotRow(Tensor w, long row, float[] x, int xOffset, float[] scratch) {
        w.readRow(row, scratch, 0);
        return dot(scratch, 0, x, xOffset, Math.toIntExact(w.cols()));
    }

    @Override
    public void matmul(Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset, WorkerPool pool) {
        jobs.get().run(w, x, xOffset, batch, out, outOffset, pool);
    }
}
