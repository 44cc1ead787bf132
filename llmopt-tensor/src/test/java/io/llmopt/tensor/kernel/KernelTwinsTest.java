package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector kernel against its scalar twin at each forced vector width, on random data of awkward sizes
 * (0, 1, width ± 1, odd tails) and unaligned offsets. Tolerance: relative 1e-5 of Σ|aᵢbᵢ| (summation order
 * differs, nothing else may).
 */
class KernelTwinsTest {
    private static final ScalarKernels SCALAR = new ScalarKernels();
    private static final int[] SIZES = {0, 1, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 172, 255, 256, 257, 1000};

    /** The vector width is fixed per JVM (-Dllmopt.vector.bits); the build runs this class at 128, 256 and 512. */
    static Stream<Arguments> widths() {
        System.out.println("KernelTwinsTest: vector width " + VectorKernels.vectorBits() + " bits");
        return Stream.of(Arguments.of(new VectorKernels()));
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @ParameterizedTest
    @MethodSource("widths")
    void dotAndAxpyMatchScalar(VectorKernels vector) {
        Random r = new Random(11);
        for (int n : SIZES) {
            for (int offset : new int[] {0, 1, 5}) {
                float[] a = random(r, n + offset + 3);
                float[] b = random(r, n + offset + 7);
                double bound = 0;
                for (int i = 0; i < n; i++) {
                    bound += Math.abs(a[offset + i] * b[offset + 2 + i]);
                }
                float expected = SCALAR.dot(a, offset, b, offset + 2, n);
                assertThat((double) vector.dot(a, offset, b, offset + 2, n))
                        .as("dot n=%d offset=%d", n, offset).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * bound + 1e-7));
                float[] y1 = random(r, n + offset);
                float[] y2 = y1.clone();
                SCALAR.axpy(0.37f, a, offset, y1, offset, n);
                vector.axpy(0.37f, a, offset, y2, offset, n);
                for (int i = 0; i < y1.length; i++) {
                    assertThat(y2[i]).as("axpy n=%d i=%d", n, i).isCloseTo(y1[i], org.assertj.core.data.Offset.offset(1e-6f * (1 + Math.abs(y1[i]))));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("widths")
    void matmulMatchesScalarForEveryFloatTypeAndBatch(VectorKernels vector) {
        Random r = new Random(5);
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16}) {
                for (int[] rc : new int[][] {{1, 1}, {3, 17}, {37, 64}, {64, 172}, {129, 33}}) {
                    int rows = rc[0];
                    int cols = rc[1];
                    float[] w = random(r, rows * cols);
                    MemorySegment seg = arena.allocate(type.byteSize((long) rows * cols) + 4).asSlice(4); // unaligned
                    Codecs.of(type).quantize(w, 0, rows * cols, seg, 0);
                    Tensor t = new Tensor("w", type, new long[] {rows, cols}, seg);
                    for (int batch : new int[] {1, 2, 5}) {
                        float[] x = random(r, 3 + batch * cols);
                        float[] expected = new float[2 + batch * rows];
                        float[] actual = new float[2 + batch * rows];
                        SCALAR.matmul(t, x, 3, batch, expected, 2, pool);
                        vector.matmul(t, x, 3, batch, actual, 2, pool);
                        for (int i = 0; i < expected.length; i++) {
                            assertThat(actual[i]).as("%s %dx%d batch %d [%d]", type, rows, cols, batch, i)
                                    .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(expected[i]))));
                        }
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}
