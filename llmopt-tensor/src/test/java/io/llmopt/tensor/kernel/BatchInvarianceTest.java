package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Batch invariance of {@link VectorKernels#matmul}: a token's output row must have the same bits whatever
 * the batch size (1 = GEMV, otherwise GEMM tiles and their partial-tile paths) and the token's place in the
 * batch, for every weight type, on awkward shapes (rows not a multiple of the tile, columns not a multiple of
 * the vector width for the float types). Also the same bits across JIT tiers: the same product repeated from
 * the first (interpreted) call until C2 has compiled the kernels (and {@code dot}, attention's q·k). The build runs this class at 128, 256 and
 * 512 bits.
 */
class BatchInvarianceTest {
    /** Up to past two of Gemm's token blocks (TB = 64), so accumulators cross block boundaries. */
    private static final int[] BATCHES = {1, 2, 7, 33, 64, 131};

    @Test
    void everyTokenRowHasTheSameBitsForEveryBatchSizeAndPosition() {
        VectorKernels k = new VectorKernels();
        System.out.println("BatchInvarianceTest: vector width " + VectorKernels.vectorBits() + " bits");
        Random r = new Random(42);
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : RandomWeights.TYPES) {
                // several of Gemm's column chunks (KC = 256), float rows with a tail past the last full vector
                int cols = !type.isQuantized() ? 603 : type.blockSize() == 256 ? 768 : 544;
                int rows = 23;
                Tensor w = RandomWeights.matrix(arena, r, type, rows, cols, 3);
                int maxBatch = BATCHES[BATCHES.length - 1];
                float[] tokens = RandomWeights.gaussian(r, maxBatch * cols);
                // reference: each token alone (GEMV)
                float[][] alone = new float[maxBatch][rows];
                for (int t = 0; t < maxBatch; t++) {
                    k.matmul(w, tokens, t * cols, 1, alone[t], 0, pool);
                }
                for (int n : BATCHES) {
                    for (int start : new int[] {0, maxBatch - n}) { // the same tokens at other batch positions
                        float[] out = new float[n * rows + 1];
                        k.matmul(w, tokens, start * cols, n, out, 1, pool);
                        for (int t = 0; t < n; t++) {
                            float[] row = Arrays.copyOfRange(out, 1 + t * rows, 1 + (t + 1) * rows);
                            assertBits(row, alone[start + t], type + " n=" + n + " token " + (start + t) + " at position " + t);
                        }
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void sameBitsAcrossJitTiers() {
        VectorKernels k = new VectorKernels();
        Random r = new Random(7);
        WorkerPool pool = new WorkerPool(1);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q5_K, GgmlType.Q6_K}) {
                int cols = type == GgmlType.F32 ? 77 : 256;
                Tensor w = RandomWeights.matrix(arena, r, type, 5, cols, 1);
                float[] x = RandomWeights.gaussian(r, 6 * cols);
                float[] first1 = new float[5];
                float[] first6 = new float[30];
                float[] out1 = new float[5];
                float[] out6 = new float[30];
                k.matmul(w, x, 0, 1, first1, 0, pool); // the first calls run interpreted
                k.matmul(w, x, 0, 6, first6, 0, pool);
                float firstDot = k.dot(x, 1, x, cols, 77); // attention's q·k
                for (int i = 0; i < 6_000; i++) {
                    k.matmul(w, x, 0, 1, out1, 0, pool);
                    k.matmul(w, x, 0, 6, out6, 0, pool);
                    if (i % 500 == 0 || i == 5_999) {
                        assertBits(out1, first1, type + " GEMV call " + i);
                        assertBits(out6, first6, type + " GEMM call " + i);
                        assertBits(new float[] {k.dot(x, 1, x, cols, 77)}, new float[] {firstDot}, "dot call " + i);
                    }
                }
                assertBits(Arrays.copyOf(first6, 5), first1, type + " GEMM token 0 vs GEMV");
            }
        } finally {
            pool.shutdown();
        }
    }

    static void assertBits(float[] actual, float[] expected, String what) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(Float.floatToRawIntBits(actual[i])).as("%s, row %d: %s vs %s", what, i, actual[i], expected[i])
                    .isEqualTo(Float.floatToRawIntBits(expected[i]));
        }
    }
}
