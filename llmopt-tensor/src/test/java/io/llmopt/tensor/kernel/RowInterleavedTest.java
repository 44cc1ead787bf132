package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.RowInterleaved;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The row-interleaved form against the GGUF layout it is copied from: decodeRow (scalar twin) must give the
 * codec's values bit for bit, and the vector kernels reading the form must give the GGUF-layout kernels'
 * outputs bit for bit — GEMV, shared-input GEMV and GEMM batches, for every type with a fused GEMV, rows not
 * a multiple of 4, one to many blocks per row, unaligned source rows. The build runs this class at 128, 256
 * and 512 bits.
 */
class RowInterleavedTest {
    @Test
    void interleavedKernelsGiveTheGgufLayoutKernelsBits() {
        VectorKernels vector = new VectorKernels();
        System.out.println("RowInterleavedTest: vector width " + VectorKernels.vectorBits() + " bits");
        Random r = new Random(8);
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q4_0}) {
                int bs = type.blockSize();
                if (type == GgmlType.Q4_0 && Simd.L == 4) {
                    continue; // at 128 bits every Q4_0 matrix is lane-packed (PackedQ4_0Test)
                }
                int[][] shapes = type == GgmlType.Q4_0 ? new int[][] {{5, 8 * Simd.L + 32}, {13, 32}} // not lane-packable: interleaved
                        : new int[][] {{1, bs}, {4, 2 * bs}, {13, 3 * bs}, {37, 8 * bs}, {6, 2048}};
                for (int[] shape : shapes) {
                    for (int misalign : new int[] {0, 5}) {
                        int rows = shape[0], cols = shape[1];
                        Tensor t = RandomWeights.matrix(arena, r, type, rows, cols, misalign);
                        Tensor p = t.withPacked(RowInterleaved.pack(t)); // prepare() gives Q8_0, Q4_0, Q4_K and Q6_K column panels
                        String what = type + " " + rows + "x" + cols + " misalign " + misalign;
                        float[] want = new float[cols];
                        float[] got = new float[cols];
                        for (int row = 0; row < rows; row++) {
                            t.readRow(row, want, 0);
                            p.packed().decodeRow(row, got, 0);
                            for (int c = 0; c < cols; c++) {
                                assertThat(Float.floatToRawIntBits(got[c])).as(what + " decodeRow " + row + "," + c)
                                        .isEqualTo(Float.floatToRawIntBits(want[c]));
                            }
                        }
                        PackedFormChecks.sameOutputs(vector, t, p, r, pool, what);
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void typesWithoutAFusedKernelStayAsTheyAre() {
        VectorKernels vector = new VectorKernels();
        Random r = new Random(2);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.BF16}) {
                Tensor t = RandomWeights.matrix(arena, r, type, 4, 256, 0);
                assertThat(vector.prepare(t)).as(type.toString()).isSameAs(t);
            }
            Tensor k = RandomWeights.matrix(arena, r, GgmlType.Q4_K, 4, 256, 0);
            // Q4_K (like Q6_K, Q8_0, Q4_0) takes the column-panel form unless -Dllmopt.columnPanels=false
            boolean panels = !"false".equalsIgnoreCase(System.getProperty("llmopt.columnPanels", "true"));
            assertThat(vector.prepare(k).packed()).isInstanceOf(panels ? io.llmopt.tensor.ColumnPanels.class : RowInterleaved.class);
            assertThat(vector.prepare(k)).as("memoized").isSameAs(vector.prepare(k));
            assertThat(new ScalarKernels().prepare(RandomWeights.matrix(arena, r, GgmlType.Q8_0, 4, 64, 0)).packed()).isNull();
            Tensor f = RandomWeights.matrix(arena, r, GgmlType.F32, 4, 64, 0);
            assertThatThrownBy(() -> RowInterleaved.pack(f)).isInstanceOf(LlmoptException.class).hasMessageContaining("block-quantized");
            Tensor q = RandomWeights.matrix(arena, r, GgmlType.Q8_0, 5, 64, 0);
            // five rows pad to eight: two groups of 4 rows × 2 blocks × 34 bytes
            assertThat(RowInterleaved.pack(q).byteSize()).isEqualTo(8 * 2 * 34);
        }
    }
}
