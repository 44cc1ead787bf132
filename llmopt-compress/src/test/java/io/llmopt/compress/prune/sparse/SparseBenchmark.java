package io.llmopt.compress.prune.sparse;

import io.llmopt.compress.calib.DenseMatrix;
import io.llmopt.compress.prune.MaskSelection;
import io.llmopt.compress.prune.SparsityPattern;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in (-Dllmopt.sparseBench=true): single-thread matrix–vector time of the dense F32 kernel vs CSR at
 * several unstructured sparsities vs packed 2:4, on a TinyLlama FFN shape (5632 × 2048). Median of repeated
 * runs; timings on a shared machine are noisy.
 */
class SparseBenchmark {
    private static final int ROWS = 5632;
    private static final int COLS = 2048;

    @Test
    @EnabledIfSystemProperty(named = "llmopt.sparseBench", matches = "true")
    void crossover() {
        SplittableRandom r = new SplittableRandom(1);
        float[] w = new float[ROWS * COLS];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        float[] x = new float[COLS];
        for (int i = 0; i < COLS; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] y = new float[ROWS];
        Kernels kernels = KernelProvider.get();
        WorkerPool pool = new WorkerPool(1);
        try {
            Tensor dense = new DenseMatrix("w", ROWS, COLS, w).toTensor();
            double denseUs = time(() -> kernels.matmul(dense, x, 0, 1, y, 0, pool));
            System.out.printf("shape %d×%d, kernels %s, 1 thread%n", ROWS, COLS, kernels.name());
            System.out.printf("| format | sparsity | bytes | µs per y = W·x | speed vs dense |%n|---|---|---|---|---|%n");
            System.out.printf("| dense F32 | 0 %% | %,d | %.0f | 1.00× |%n", 4L * w.length, denseUs);
            double[] score = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                score[i] = Math.abs(w[i]);
            }
            for (double s : new double[] {0.5, 0.7, 0.8, 0.9, 0.95}) {
                float[] p = w.clone();
                MaskSelection.apply(p, MaskSelection.perMatrix(score, s));
                CsrMatrix csr = CsrMatrix.of(p, ROWS, COLS);
                double us = time(() -> csr.multiply(x, y, 0, ROWS));
                double scalarUs = time(() -> csr.multiplyScalar(x, y, 0, ROWS));
                System.out.printf("| CSR (vector / scalar) | %.0f %% | %,d | %.0f / %.0f | %.2f× |%n", s * 100, csr.byteSize(), us, scalarUs, denseUs / us);
            }
            float[] p = w.clone();
            MaskSelection.apply(p, MaskSelection.nm(score, ROWS, COLS, SparsityPattern.parseNm("2:4")));
            Packed24Matrix packed = Packed24Matrix.of(p, ROWS, COLS);
            int[] index = new int[COLS / 2];
            double us = time(() -> packed.multiply(x, y, 0, ROWS, index));
            double scalarUs = time(() -> packed.multiplyScalar(x, y, 0, ROWS));
            System.out.printf("| packed 2:4 (vector / scalar) | 50 %% | %,d | %.0f / %.0f | %.2f× |%n", packed.byteSize(), us, scalarUs, denseUs / us);
        } finally {
            pool.shutdown();
        }
    }

    private static double time(Runnable op) {
        for (int i = 0; i < 20; i++) {
            op.run();
        }
        double[] t = new double[31];
        for (int i = 0; i < t.length; i++) {
            long t0 = System.nanoTime();
            op.run();
            t[i] = (System.nanoTime() - t0) / 1e3;
        }
        java.util.Arrays.sort(t);
        return t[t.length / 2];
    }
}
