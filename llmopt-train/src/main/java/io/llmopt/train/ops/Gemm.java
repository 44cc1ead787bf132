package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.WorkerPool;

/**
 * The one matrix product every training matmul and attention product reduces to. {@link ScalarGemm} is the
 * reference (the specification); {@link VectorGemm} mirrors it with the Vector API. Choose one with {@link #get()}.
 *
 * <p>Legend: M rows of the result, N columns, K the summed dimension. A is read through strides, so transposed
 * operands need no copy; B and C are row-major with leading dimensions (row lengths in memory) ldb and ldc.
 * <pre>
 * A(i, p) = a[aOff + i·aRowStride + p·aColStride]      i &lt; M, p &lt; K
 * B[p][j] = b[bOff + p·ldb + j]                          j &lt; N
 * C[i][j] = c[cOff + i·ldc + j]
 * C[i][j] ← init(i, j) + Σ_p A(i, p)·B[p][j]
 * init    = C[i][j] when accumulating, else bias[biasOff + j] when a bias is given, else 0
 * </pre>
 * Each sum is formed with fused multiply-adds in ascending p by exactly one thread, so results are identical
 * whatever the thread count, and identical between the two implementations.
 */
public interface Gemm {

    /** Run on the pool's threads ({@code worker} = ALL_WORKERS) or on the calling thread as worker {@code worker}. */
    int ALL_WORKERS = -1;

    String name();

    /**
     * @param worker {@link #ALL_WORKERS} to split the work over the pool, or the id of the pool worker that is
     *               calling (from inside one of the pool's tasks) to run it all on the calling thread
     */
    void gemm(int m, int n, int k,
            float[] a, int aOff, int aRowStride, int aColStride,
            float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc,
            float[] bias, int biasOff, boolean accumulate, WorkerPool pool, int worker);

    /** The vector implementation unless {@code -Dllmopt.kernels=scalar} or the Vector API is missing. */
    static Gemm get() {
        return GemmHolder.GEMM;
    }
}
