package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The activation quantization of the Q4_0 kernels: the scalar definition against values worked out by hand
 * (llama.cpp's Q8_0 rule: d = max|x|/127, q = round-half-even(x/d), d stored as fp16), its vector twin against
 * the definition on awkward blocks, and the 16-bit block sums of the GEMV at their worst case (every q − 8 = −8,
 * every activation at ±max, |Σ| = 32512) against a float64 dot product. The build runs this class at 128, 256
 * and 512 bits.
 */
class Q8ActivationsTest {
    @Test
    void definitionByHand() {
        float[] x = new float[32];
        x[0] = 127f;
        x[1] = 2.5f;   // ties go to even
        x[2] = 3.5f;
        x[3] = -2.5f;
        x[4] = -127f;
        x[5] = 0.49f;
        x[6] = Float.MIN_VALUE;
        short[] q = new short[32];
        float[] d = new float[1];
        Q8Activations.quantize(x, 0, 32, q, 0, d, 0);
        assertThat(d[0]).isEqualTo(1f);
        assertThat(new short[] {q[0], q[1], q[2], q[3], q[4], q[5], q[6], q[7]}).containsExactly(127, 2, 4, -2, -127, 0, 0, 0);

        float[] y = new float[32];
        y[0] = 1f;
        y[1] = -0.5f;
        Q8Activations.quantize(y, 0, 32, q, 0, d, 0);
        assertThat(d[0]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(1f / 127f))).isNotEqualTo(1f / 127f);
        assertThat(q[0]).isEqualTo((short) 127);
        assertThat(q[1]).isEqualTo((short) Math.rint(-0.5f * 127f));

        float[] zero = new float[32];
        Q8Activations.quantize(zero, 0, 32, q, 0, d, 0);
        assertThat(d[0]).isZero();
        assertThat(q).containsOnly((short) 0);

        float[] huge = new float[32]; // d overflows fp16: kept as a float rather than infinite
        huge[0] = 1e9f;
        Q8Activations.quantize(huge, 0, 32, q, 0, d, 0);
        assertThat(d[0]).isEqualTo(1e9f / 127f);
        assertThat(q[0]).isEqualTo((short) 127);
    }

    @Test
    void vectorTwinMatchesTheDefinition() {
        Random r = new Random(5);
        int cols = 32 * 9;
        for (int round = 0; round < 200; round++) {
            float[] x = new float[cols + 7];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(9) - 4));
            }
            int off = r.nextInt(7);
            int blk = r.nextInt(9);
            switch (round % 6) { // awkward blocks
                case 1 -> java.util.Arrays.fill(x, off + 32 * blk, off + 32 * blk + 32, 0f);
                case 2 -> x[off + 32 * blk + r.nextInt(32)] = Float.NaN;
                case 3 -> x[off + 32 * blk + r.nextInt(32)] = Float.NEGATIVE_INFINITY;
                case 4 -> { // exact ties: amax 127·s, others half-integers·s
                    float s = (float) Math.pow(2, r.nextInt(20) - 10);
                    for (int i = 0; i < 32; i++) {
                        x[off + 32 * blk + i] = (r.nextInt(254) - 127 + 0.5f) * s;
                    }
                    x[off + 32 * blk] = 127f * s;
                }
                case 5 -> x[off + 32 * blk + r.nextInt(32)] = Float.MIN_VALUE;
                default -> { }
            }
            short[] q = new short[cols];
            float[] d = new float[9];
            Q8Activations.quantize(x, off, cols, q, 0, d, 0);
            float[] qv = new float[cols + 3];
            float[] dv = new float[11];
            Q8Activations.quantizeRow(x, off, cols, qv, 3, dv, 2);
            for (int b = 0; b < 9; b++) {
                assertThat(Float.floatToRawIntBits(dv[2 + b])).as("round %d block %d scale", round, b).isEqualTo(Float.floatToRawIntBits(d[b]));
            }
            for (int c = 0; c < cols; c++) {
                assertThat(qv[3 + c]).as("round %d column %d", round, c).isEqualTo((float) q[c]);
            }
        }
    }

    @Test
    void worstCaseBlockSumsDoNotOverflow() {
        int rows = 70, cols = 32 * 12;
        VectorKernels vector = new VectorKernels();
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment seg = arena.allocate((long) rows * cols / 32 * 18);
            for (int row = 0; row < rows; row++) {
                for (int b = 0; b < cols / 32; b++) {
                    long o = ((long) row * cols / 32 + b) * 18;
                    seg.set(Layouts.SHORT, o, Float.floatToFloat16(row % 2 == 0 ? 1f : -0.5f));
                    for (int j = 0; j < 16; j++) {
                        seg.set(Layouts.BYTE, o + 2 + j, (byte) 0); // q = 0: every weight (0 − 8)·d
                    }
                }
            }
            Tensor t = new Tensor("w", GgmlType.Q4_0, new long[] {rows, cols}, seg.asReadOnly());
            Tensor p = vector.prepare(t);
            assertThat(p.packed()).isInstanceOf(io.llmopt.tensor.ColumnPanels.class);
            for (float sign : new float[] {1f, -1f}) {
                for (int batch : new int[] {1, 13}) {
                    float[] x = new float[batch * cols];
                    java.util.Arrays.fill(x, sign * 3f);
                    float[] out = new float[batch * rows];
                    vector.matmul(p, x, 0, batch, out, 0, pool);
                    for (int i = 0; i < out.length; i++) {
                        double d = (i % rows) % 2 == 0 ? 1 : -0.5;
                        double exact = -8.0 * d * sign * 3 * cols;
                        assertThat((double) out[i]).as("sign %s batch %d output %d", sign, batch, i).isCloseTo(exact, org.assertj.core.data.Offset.offset(Math.abs(exact) * 1e-3));
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}
