package io.llmopt.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.ScalarKernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The int8-activation GEMV experiment against its scalar twins (the integer block dots are exact, so the
 * two differ only by float summation order), and against the float path to show what quantizing the
 * activations costs in accuracy.
 */
class Int8GemvTest {
    @Test
    void vectorKernelsMatchTheirScalarTwinsAndStayCloseToTheFloatPath() {
        int rows = 12, cols = 512;
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) r.nextDouble(-2, 2);
        }
        byte[] q = new byte[cols];
        float[] d = new float[cols / 32];
        Int8Gemv.quantize(x, cols, q, d);
        for (int i = 0; i < cols; i++) {
            assertThat(Math.abs(q[i] * d[i / 32] - x[i])).as("quantized x[%d]", i).isLessThanOrEqualTo(d[i / 32] * 0.5f + 1e-6f);
        }
        WorkerPool pool = new WorkerPool(1);
        try (Arena arena = Arena.ofConfined()) {
            for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
                Tensor w = RandomMatrices.create(arena, type, rows, cols, 9);
                float[] vec = new float[rows], scalar = new float[rows], exact = new float[rows];
                if (type == GgmlType.Q8_0) {
                    Int8Gemv.q8_0(w.data(), rows, cols, q, d, vec);
                    Int8Gemv.q8_0Scalar(w.data(), rows, cols, q, d, scalar);
                } else {
                    Int8Gemv.q4_0(w.data(), rows, cols, q, d, vec);
                    Int8Gemv.q4_0Scalar(w.data(), rows, cols, q, d, scalar);
                }
                new ScalarKernels().matmul(w, x, 0, 1, exact, 0, pool);
                double worst = 0, scale = 0;
                for (int i = 0; i < rows; i++) {
                    assertThat((double) vec[i]).as(type + " row " + i).isCloseTo(scalar[i], org.assertj.core.data.Offset.offset(1e-4 * (1 + Math.abs(scalar[i]))));
                    worst = Math.max(worst, Math.abs(scalar[i] - exact[i]));
                    scale = Math.max(scale, Math.abs(exact[i]));
                }
                System.out.printf("Int8GemvTest %s: int8-activation result vs float path: max |Δ| %.3g (max |out| %.3g)%n", type, worst, scale);
                assertThat(worst).as(type + " int8 vs float").isLessThan(0.05 * scale + 1e-3);
            }
        } finally {
            pool.shutdown();
        }
    }
}
