package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.RangeTask;
import io.llmopt.tensor.kernel.WorkerPool;

/** The reference {@link Gemm}: three loops, one fused multiply-add per term, p ascending. */
public final class ScalarGemm implements Gemm {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void gemm(int m, int n, int k, float[] a, int aOff, int aRowStride, int aColStride, float[] b, int bOff, int ldb,
            float[] c, int cOff, int ldc, float[] bias, int biasOff, boolean accumulate, WorkerPool pool, int worker) {
        RangeTask rows = (w, from, to) -> {
            for (int i = from; i < to; i++) {
                for (int j = 0; j < n; j++) {
                    float acc = accumulate ? c[cOff + i * ldc + j] : bias != null ? bias[biasOff + j] : 0f;
                    for (int p = 0; p < k; p++) {
                        acc = Math.fma(a[aOff + i * aRowStride + p * aColStride], b[bOff + p * ldb + j], acc);
                    }
                    c[cOff + i * ldc + j] = acc;
                }
            }
        };
        if (worker >= 0) {
            rows.run(worker, 0, m);
        } else {
            pool.run(m, Math.max(1, (1 << 16) / Math.max(1, n * k)), rows);
        }
    }
}
