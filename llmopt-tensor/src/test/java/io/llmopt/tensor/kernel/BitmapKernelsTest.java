package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.BitmapRows;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bitmap-sparse kernels against the dense kernels on the same (pruned) weights: every output must have
 * the same bits, for GEMV and GEMM batches, F32 and F16, awkward shapes (columns not a multiple of L or of
 * 64, one column, rows not a multiple of 4), and sparsity patterns 0 %, 50 %, 2:4, 90 %, all-zero rows, all
 * zero, −0.0 entries and F16 subnormals (rows of normal F16 values take a shorter conversion). The scalar twin (decodeRow) must give the dense values exactly. The build runs
 * this class at 128, 256 and 512 bits.
 */
class BitmapKernelsTest {
    private static final int[][] SHAPES = {{1, 1}, {3, 5}, {4, 16}, {23, 173}, {9, 64}, {7, 200}, {13, 1031}, {5, 2048}};
    private static final String[] PATTERNS = {"dense", "50%", "2:4", "90%", "zero-rows", "all-zero", "negative-zero", "subnormal-rows"};
    private static final int[] BATCHES = {1, 2, 5, 33};

    @Test
    void sparseKernelsGiveTheDenseKernelsBitsForEveryShapeAndPattern() {
        VectorKernels vector = new VectorKernels();
        ScalarKernels scalar = new ScalarKernels();
        System.out.println("BitmapKernelsTest: vector width " + VectorKernels.vectorBits() + " bits");
        Random r = new Random(11);
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16}) {
                for (int[] shape : SHAPES) {
                    for (String pattern : PATTERNS) {
                        int rows = shape[0], cols = shape[1];
                        Tensor dense = pruned(arena, r, type, rows, cols, pattern);
                        Tensor sparse = dense.withSparse(BitmapRows.encode(dense));
                        String what = type + " " + rows + "x" + cols + " " + pattern;
                        float[] want = new float[cols];
                        float[] got = new float[cols + 3];
                        for (int row = 0; row < rows; row++) {
                            dense.readRow(row, want, 0);
                            sparse.readRow(row, got, 3);
                            for (int c = 0; c < cols; c++) {
                                assertThat(Float.floatToRawIntBits(got[3 + c])).as(what + " decodeRow " + row + "," + c)
                                        .isEqualTo(Float.floatToRawIntBits(want[c]));
                            }
                        }
                        for (int batch : BATCHES) {
                            float[] x = RandomWeights.gaussian(r, batch * cols + 2);
                            for (Kernels k : new Kernels[] {vector, scalar}) {
                                float[] d = new float[batch * rows + 1];
                                float[] s = new float[batch * rows + 1];
                                k.matmul(dense, x, 2, batch, d, 1, pool);
                                k.matmul(sparse, x, 2, batch, s, 1, pool);
                                BatchInvarianceTest.assertBits(s, d, what + " " + k.name() + " batch " + batch);
                            }
                        }
                        for (int batch : new int[] {1, 6}) { // Gemm's sparse chunk decode directly (matmul uses it for F32 up to batch 8 only)
                            float[] x = RandomWeights.gaussian(r, batch * cols);
                            float[] d = new float[batch * rows];
                            float[] s = new float[batch * rows];
                            float[] panel = new float[Gemm.PANEL];
                            float[] acc = new float[Gemm.ACC];
                            for (int r0 = 0; r0 < rows; r0 += Gemm.PANEL_ROWS) {
                                int r1 = Math.min(rows, r0 + Gemm.PANEL_ROWS);
                                Gemm.panel(type, dense.data(), dense.rowBytes(), null, null, r0, r1, cols, x, 0, batch, d, 0, rows, panel, acc);
                                Gemm.panel(type, dense.data(), dense.rowBytes(), sparse.sparse(), null, r0, r1, cols, x, 0, batch, s, 0, rows, panel, acc);
                            }
                            BatchInvarianceTest.assertBits(s, d, what + " Gemm.panel batch " + batch);
                        }
                        if (pattern.equals("50%")) {
                            float[] x = RandomWeights.gaussian(r, cols);
                            float[] scratch = new float[cols];
                            for (int row = 0; row < rows; row++) {
                                assertThat(vector.dotRow(sparse, row, x, 0, scratch)).as(what + " dotRow")
                                        .isCloseTo(scalar.dotRow(dense, row, x, 0, scratch), org.assertj.core.data.Offset.offset(1e-3f * (float) Math.sqrt(cols)));
                            }
                        }
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void sizesAndSparsityAreCountedFromThePattern() {
        Random r = new Random(3);
        try (Arena arena = Arena.ofShared()) {
            Tensor t = pruned(arena, r, GgmlType.F16, 64, 256, "2:4");
            BitmapRows b = BitmapRows.encode(t);
            assertThat(b.nonZeros()).isEqualTo(64 * 128);
            assertThat(b.sparsity()).isEqualTo(0.5);
            // 4 mask words per row, 65 row starts, 8192 values + padding, 2 bytes each
            assertThat(b.byteSize()).isEqualTo(64 * 4 * 8 + 65 * 4 + 2L * (8192 + BitmapRows.PADDING));
            assertThat(BitmapRows.nonZeros(t)).isEqualTo(b.nonZeros());
            Tensor none = pruned(arena, r, GgmlType.F32, 4, 70, "all-zero");
            assertThat(BitmapRows.encode(none).sparsity()).isEqualTo(1.0);
        }
    }

    @Test
    void rejectsWhatTheBitmapFormCannotHold() {
        Random r = new Random(5);
        try (Arena arena = Arena.ofShared()) {
            Tensor q8 = RandomWeights.matrix(arena, r, GgmlType.Q8_0, 4, 64, 0);
            assertThatThrownBy(() -> BitmapRows.encode(q8)).isInstanceOf(LlmoptException.class).hasMessageContaining("F32 or F16");
            Tensor f = pruned(arena, r, GgmlType.F32, 4, 8, "50%");
            Tensor flat = f.reshape("flat", 32);
            assertThatThrownBy(() -> BitmapRows.encode(flat)).isInstanceOf(LlmoptException.class).hasMessageContaining("2-D");
            BitmapRows other = BitmapRows.encode(pruned(arena, r, GgmlType.F32, 8, 4, "50%"));
            assertThatThrownBy(() -> f.withSparse(other)).isInstanceOf(LlmoptException.class).hasMessageContaining("does not match");
            BitmapRows half = BitmapRows.encode(pruned(arena, r, GgmlType.F16, 4, 8, "50%"));
            assertThatThrownBy(() -> f.withSparse(half)).isInstanceOf(LlmoptException.class).hasMessageContaining("does not match");
            assertThat(f.withSparse(BitmapRows.encode(f)).slice("row", 1).sparse()).isNull();
        }
    }

    /** A rows×cols F32/F16 matrix of N(0, 1) values with the given zero pattern, misaligned by 3 bytes. */
    static Tensor pruned(Arena arena, Random r, GgmlType type, int rows, int cols, String pattern) {
        float[] v = RandomWeights.gaussian(r, rows * cols);
        for (int row = 0; row < rows; row++) {
            for (int c = 0; c < cols; c++) {
                int i = row * cols + c;
                boolean zero = switch (pattern) {
                    case "dense" -> false;
                    case "50%" -> r.nextBoolean();
                    case "2:4" -> false;
                    case "90%" -> r.nextInt(10) != 0;
                    case "zero-rows" -> row % 3 == 1 || r.nextInt(4) == 0;
                    case "all-zero" -> true;
                    case "negative-zero" -> {
                        if (r.nextInt(3) == 0) {
                            v[i] = -0f; // not +0.0: must be stored and give its own bits
                        }
                        yield r.nextInt(3) == 0;
                    }
                    case "subnormal-rows" -> {
                        if (row % 5 == 2 && r.nextInt(8) == 0) {
                            v[i] = 3e-6f * (float) r.nextGaussian(); // an F16 subnormal: such rows take the general conversion
                        }
                        yield r.nextInt(4) == 0;
                    }
                    default -> throw new IllegalArgumentException(pattern);
                };
                if (zero) {
                    v[i] = 0f;
                }
            }
            if (pattern.equals("2:4")) {
                for (int g = 0; g + 4 <= cols; g += 4) {
                    int keepA = r.nextInt(4), keepB = (keepA + 1 + r.nextInt(3)) % 4;
                    for (int k = 0; k < 4; k++) {
                        if (k != keepA && k != keepB) {
                            v[row * cols + g + k] = 0f;
                        }
                    }
                }
            }
        }
        long bytes = type.byteSize((long) rows * cols);
        MemorySegment seg = arena.allocate(bytes + 67, 64).asSlice(3, bytes);
        Codecs.of(type).quantize(v, 0, rows * cols, seg, 0);
        return new Tensor("w", type, new long[] {rows, cols}, seg);
    }
}
