package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Kernels#matmulShared} (one pool dispatch for several weights on the same input) gives the same bits
 * as one {@link Kernels#matmul} per weight, for mixed weight types (as Q4_K_M's q/k/v: Q4_K and Q6_K), row
 * counts that are not multiples of four, 1–3 threads, batch 1 (the fused dispatch) and batch 5 (the loop),
 * and the scalar kernels' default implementation.
 */
class SharedInputGemvTest {
    @Test
    void sameBitsAsSeparateMatmuls() {
        Random r = new Random(11);
        int cols = 512;
        GgmlType[][] sets = {
            {GgmlType.Q4_K, GgmlType.Q4_K, GgmlType.Q6_K},
            {GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.F16},
            {GgmlType.F32, GgmlType.Q5_K},
        };
        int[] rows = {37, 6, 64};
        try (Arena arena = Arena.ofShared()) {
            for (Kernels k : new Kernels[] {new VectorKernels(), new ScalarKernels()}) {
                for (GgmlType[] types : sets) {
                    Tensor[] w = new Tensor[types.length];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = RandomWeights.matrix(arena, r, types[i], rows[i], cols, i + 1);
                    }
                    for (int batch : new int[] {1, 5}) {
                        float[] x = RandomWeights.gaussian(r, 2 + batch * cols);
                        for (int threads = 1; threads <= 3; threads++) {
                            WorkerPool pool = new WorkerPool(threads);
                            try {
                                float[][] shared = new float[w.length][];
                                float[][] separate = new float[w.length][];
                                for (int i = 0; i < w.length; i++) {
                                    shared[i] = new float[batch * rows[i]];
                                    separate[i] = new float[batch * rows[i]];
                                    k.matmul(w[i], x, 2, batch, separate[i], 0, pool);
                                }
                                for (int rep = 0; rep < 3; rep++) {
                                    k.matmulShared(w, x, 2, batch, shared, pool);
                                    for (int i = 0; i < w.length; i++) {
                                        String what = k.name() + " " + types[i] + " (weight " + i + ") batch " + batch
                                                + " threads " + threads;
                                        for (int j = 0; j < shared[i].length; j++) {
                                            assertThat(Float.floatToRawIntBits(shared[i][j])).as(what + " out " + j)
                                                    .isEqualTo(Float.floatToRawIntBits(separate[i][j]));
                                        }
                                    }
                                }
                            } finally {
                                pool.shutdown();
                            }
                        }
                    }
                }
            }
        }
    }
}
