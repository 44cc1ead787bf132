package io.llmopt.compress.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.llmopt.tensor.kernel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ReconstructionErrorTest {
    private static final WorkerPool POOL = new WorkerPool(2);
    /** Relative agreement of the float32 GEMM form with the double-precision reference. */
    private static final double TOLERANCE = 1e-4;

    @AfterAll
    static void shutdown() {
        POOL.shutdown();
    }

    @Test
    void gemmFormAgreesWithTheDoubleReference() {
        Random r = new Random(5);
        // awkward sizes: rows past one block of 256 with a tail, cols not a multiple of any vector width
        for (int[] shape : new int[][] {{1, 7}, {5, 33}, {300, 77}, {513, 40}}) {
            int rows = shape[0];
            int cols = shape[1];
            int n = 3 * cols + 5;
            float[] x = new float[n * cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextGaussian() * (1 + (i % cols) % 5)); // unequal column scales
            }
            double[] gram = new double[cols * cols];
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < cols; i++) {
                    for (int j = 0; j < cols; j++) {
                        gram[i * cols + j] += (double) x[t * cols + i] * x[t * cols + j];
                    }
                }
            }
            float[] w = new float[rows * cols];
            float[] pruned = new float[rows * cols];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) r.nextGaussian();
                pruned[i] = r.nextBoolean() ? 0f : w[i] * (float) (1 + 0.1 * r.nextGaussian());
            }
            double ref = ReconstructionError.reference(w, pruned, rows, cols, gram);
            double fast = ReconstructionError.relative(w, pruned, rows, cols, gram, POOL);
            assertThat(ref).isGreaterThan(0.1);
            assertThat(fast).as("rows %d cols %d", rows, cols).isCloseTo(ref, within(TOLERANCE * ref));
            assertThat(ReconstructionError.relative(w, w, rows, cols, gram, POOL)).isZero();
        }
    }
}
