package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.WorkerPool;

/**
 * The one matrix product every training matmul reduces to. {@link ScalarGemm} is the reference (the
 * specification); {@link VectorGemm} mirrors it with the Vector API. Choose one with {@link #get()}.
 *
 * <p>Legend: M rows of the result, N columns, K the summed dimension. A is read through strides so that
 * transposed operands need no copy; B and C are row-major with row length N.
 * <pre>
 * A(i, k) = a[aOff + i·aRowStride + k·aColStride]     i &lt; M, k &lt; K
 * B       [K][N]  at b[bOff]
 * C       [M][N]  at c[cOff]
 * C[i][j] = init(i, j) + Σ_k A(i, k)·B[k][j]
 * init    = C[i][j] when accumulating, else bias[biasOff + j] when a bias is given, else 0
 * </pre>
 * Each sum is formed with fused multiply-adds in ascending k by exactly one thread, so results are
 * identical whatever the thread count and identical between the two implementations.
 */
public interface Gemm {

    String name();

    void gemm(int m, int n, int k,
            float[] a, int aOff, int aRowStride, int aColStride,
            float[] b, int bOff,
            float[] c, int cOff,
            float[] bias, int biasOff, boolean accumulate, WorkerPool pool);

    /** The vector implementation unless {@code -Dllmopt.kernels=scalar} or the Vector API is missing. */
    static Gemm get() {
        return GemmHolder.GEMM;
    }
}
