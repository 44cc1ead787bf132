package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LanePackedQ4_0;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The lane-packed Q4_0 form against the GGUF layout it is built from: {@link LanePackedQ4_0#decodeRow} (the
 * scalar twin) must give the Q4_0 decoder's values, and the vector kernels reading the packed form must give
 * the GGUF-layout kernels' outputs bit for bit — GEMV, shared-input GEMV and GEMM batches, rows not a
 * multiple of 4, columns of one to many packed chunks, negative and subnormal scales, zero scales and
 * nibble 8 (a zero weight), unaligned source rows. The build runs this class at 128, 256 and 512 bits.
 */
class PackedQ4_0Test {
    @Test
    void packedKernelsGiveTheGgufLayoutKernelsBits() {
        VectorKernels vector = new VectorKernels();
        int lanes = Simd.L;
        int chunk = 8 * lanes;
        System.out.println("PackedQ4_0Test: vector width " + VectorKernels.vectorBits() + " bits, chunk " + chunk + " columns");
        int[][] shapes = {{1, chunk}, {4, chunk}, {13, 3 * chunk}, {37, Math.max(256, chunk) * 2}, {6, 2048}, {64, 512}};
        Random r = new Random(21);
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared()) {
            for (int[] shape : shapes) {
                for (int misalign : new int[] {0, 3}) {
                    int rows = shape[0], cols = shape[1];
                    Tensor t = awkward(arena, r, rows, cols, misalign);
                    Tensor p = t.withPacked(LanePackedQ4_0.pack(t, lanes)); // prepare() now picks the column panels
                    String what = rows + "x" + cols + " misalign " + misalign;
                    float[] want = new float[cols];
                    float[] got = new float[cols];
                    for (int row = 0; row < rows; row++) {
                        t.readRow(row, want, 0);
                        p.packed().decodeRow(row, got, 0);
                        for (int c = 0; c < cols; c++) {
                            assertThat(got[c]).as(what + " decodeRow " + row + "," + c).isEqualTo(want[c]);
                        }
                    }
                    PackedFormChecks.sameOutputs(vector, t, p, r, pool, what);
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void onlyWholeChunkQ4_0MatricesAreLanePackedAndMismatchesAreRejected() {
        VectorKernels vector = new VectorKernels();
        int chunk = 8 * Simd.L;
        Random r = new Random(4);
        try (Arena arena = Arena.ofShared()) {
            if (chunk > 32) {
                Tensor narrow = RandomWeights.matrix(arena, r, GgmlType.Q4_0, 4, chunk - 32, 0);
                assertThatThrownBy(() -> LanePackedQ4_0.pack(narrow, Simd.L)).isInstanceOf(LlmoptException.class)
                        .hasMessageContaining("multiple of " + chunk);
            }
            Tensor a = RandomWeights.matrix(arena, r, GgmlType.Q4_0, 8, 256, 0);
            Tensor b = RandomWeights.matrix(arena, r, GgmlType.Q4_0, 4, 256, 0);
            LanePackedQ4_0 pb = LanePackedQ4_0.pack(b, 8);
            assertThatThrownBy(() -> a.withPacked(pb)).isInstanceOf(LlmoptException.class).hasMessageContaining("does not match");
            // bytes: 0.5 per weight of nibbles + one float per 32, rows padded to 4
            assertThat(LanePackedQ4_0.pack(a, 8).byteSize()).isEqualTo(8 * 256 / 2 + 8 * 8 * 4);
        }
    }

    /** Random Q4_0 whose scales include negatives, subnormal halves and zero, and whose nibbles include 8s. */
    static Tensor awkward(Arena arena, Random r, int rows, int cols, int misalign) {
        Tensor t = RandomWeights.matrix(arena, r, GgmlType.Q4_0, rows, cols, misalign);
        var seg = t.data();
        long blocks = seg.byteSize() / 18;
        for (long b = 0; b < blocks; b++) {
            long o = 18 * b;
            switch ((int) (b % 7)) {
                case 1 -> seg.set(Layouts.SHORT, o, Float.floatToFloat16(-Math.abs(0.03f * (float) r.nextGaussian())));
                case 2 -> seg.set(Layouts.SHORT, o, (short) (1 + r.nextInt(0x3FF) | (r.nextBoolean() ? 0x8000 : 0))); // subnormal
                case 3 -> seg.set(Layouts.SHORT, o, (short) 0);
                case 4 -> {
                    for (int j = 0; j < 16; j++) {
                        seg.set(Layouts.BYTE, o + 2 + j, (byte) 0x88); // every weight (8 − 8)·d = 0
                    }
                    seg.set(Layouts.SHORT, o, Float.floatToFloat16(-0.02f));
                }
                default -> { }
            }
        }
        return t;
    }
}
