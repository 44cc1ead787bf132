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
 * The vector weight kernels of every type against the scalar reference (the codecs' dequantize, then a plain
 * dot), at the JVM's forced vector width (the build runs this class at 128, 256 and 512 bits), on random
 * weights of awkward shapes (one block, odd block counts), unaligned segments and batches 1..7.
 *
 * <p>Tolerances: decode may differ from the reference by one rounding (k-quants use a fused multiply-add
 * for scale·q − min): {@link #DECODE_ULPS}. Dots and matmuls differ by summation order:
 * {@link #SUM_ORDER} relative to Σ|wᵢ·xᵢ|.
 */
class RowKernelsTest {
    static final double DECODE_ULPS = 2;
    static final double SUM_ORDER = 2e-6;
    private static final ScalarKernels SCALAR = new ScalarKernels();
    private static final VectorKernels VECTOR = new VectorKernels();

    private static int[] colsFor(GgmlType t) {
        int b = Math.max(t.blockSize(), 1);
        return t.isQuantized() ? new int[] {b, 3 * b, 7 * b} : new int[] {1, 15, 17, 33, 64, 172, 257};
    }

    @Test
    void decodeMatchesTheReferenceCodec() {
        Random r = new Random(1);
        try (Arena arena = Arena.ofConfined()) {
            for (GgmlType t : RandomWeights.TYPES) {
                for (int cols : colsFor(t)) {
                    for (int misalign : new int[] {0, 3}) {
                        Tensor w = RandomWeights.matrix(arena, r, t, 3, cols, misalign);
                        float[] expected = new float[cols + 5];
                        float[] actual = new float[cols + 5];
                        for (int row = 0; row < 3; row++) {
                            w.readRow(row, expected, 5);
                            RowKernels.decode(t, w.data(), row * w.rowBytes(), cols, actual, 5);
                            for (int i = 5; i < cols + 5; i++) {
                                assertThat((double) actual[i]).as("%s cols %d row %d [%d]", t, cols, row, i - 5)
                                        .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(DECODE_ULPS * Math.ulp(expected[i]) + 1e-30));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void halfPrecisionDecodeIsExactForEveryBitPattern() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment all = arena.allocate(2 * 65536 + 1).asSlice(1);
            for (int h = 0; h < 65536; h++) {
                all.set(Layouts.SHORT, 2L * h, (short) h);
            }
            float[] f16 = new float[65536];
            float[] bf16 = new float[65536];
            FloatRows.decodeF16(all, 0, 65536, f16, 0);
            FloatRows.decodeBF16(all, 0, 65536, bf16, 0);
            for (int h = 0; h < 65536; h++) {
                float e = Float.float16ToFloat((short) h);
                assertThat(Float.isNaN(f16[h]) ? Float.isNaN(e) : Float.floatToRawIntBits(f16[h]) == Float.floatToRawIntBits(e))
                        .as("f16 0x%04x: %s vs %s", h, f16[h], e).isTrue();
                assertThat(Float.floatToRawIntBits(bf16[h])).as("bf16 0x%04x", h).isEqualTo(h << 16);
            }
        }
    }

    @Test
    void dotRowAndMatmulMatchScalarForEveryTypeAndBatch() {
        Random r = new Random(2);
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType t : RandomWeights.TYPES) {
                for (int cols : colsFor(t)) {
                    for (int rows : new int[] {1, 5, 19, 37}) {
                        Tensor w = RandomWeights.matrix(arena, r, t, rows, cols, rows % 4);
                        float[] dense = w.toFloatArray();
                        for (int batch = 1; batch <= 7; batch++) {
                            float[] x = RandomWeights.gaussian(r, 3 + batch * cols);
                            float[] expected = new float[2 + batch * rows];
                            float[] actual = new float[2 + batch * rows];
                            SCALAR.matmul(w, x, 3, batch, expected, 2, pool);
                            VECTOR.matmul(w, x, 3, batch, actual, 2, pool);
                            for (int tok = 0; tok < batch; tok++) {
                                for (int row = 0; row < rows; row++) {
                                    double bound = 0;
                                    for (int c = 0; c < cols; c++) {
                                        bound += Math.abs(dense[row * cols + c] * x[3 + tok * cols + c]);
                                    }
                                    int i = 2 + tok * rows + row;
                                    assertThat((double) actual[i]).as("%s %dx%d batch %d token %d row %d", t, rows, cols, batch, tok, row)
                                            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(SUM_ORDER * bound + 1e-30));
                                    if (batch == 1) {
                                        float single = VECTOR.dotRow(w, row, x, 3, new float[cols]);
                                        assertThat((double) single).as("dotRow %s row %d", t, row)
                                                .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(SUM_ORDER * bound + 1e-30));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}
