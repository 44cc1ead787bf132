package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.WorkerPool;

/** The reference {@link Gemm}: three loops, one fused multiply-add per term, k ascending. */
public final class ScalarGemm implements Gemm {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride, float[] b, int bOff,
            float[] c, int cOff, float[] bias, int biasOff, boolean accumulate, WorkerPool pool) {
        pool.run(m, Math.max(1, (1 << 16) / Math.max(1, n * k)), (worker, from, to) -> {
            for (int i = from; i < to; i++) {
                for (int j = 0; j < n; j++) {
                    float acc = accumulate ? c[cOff + i * n + j] : bias != null ? bias[biasOff + j] : 0f;
                    for (int p = 0; p < k; p++) {
                        acc = Math.fma(a[aOff + i * aRowStride + p * aColStride], b[bOff + p * n + j], acc);
                    }
                    c[cOff + i * n + j] = acc;
                }
            }
        });
    }
}
