package io.llmopt.tensor.kernel;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Random weight matrices of any kernel type for tests: float types and Q8_0/Q4_0 go through the reference
 * quantizers from N(0, 1) values; the other block types are random bytes (every bit pattern of the packed
 * quants and scales is a valid block) whose fp16 scale fields are overwritten with finite values. The data
 * starts {@code misalign} bytes past an aligned address so kernels never rely on alignment.
 */
final class RandomWeights {
    static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1,
        GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K,
        GgmlType.Q6_K};

    private RandomWeights() {
    }

    static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    static Tensor matrix(Arena arena, Random r, GgmlType type, int rows, int cols, int misalign) {
        long bytes = type.byteSize((long) rows * cols);
        MemorySegment seg = arena.allocate(bytes + misalign + 64, 64).asSlice(misalign, bytes);
        if (!type.isQuantized() || type == GgmlType.Q8_0 || type == GgmlType.Q4_0) {
            Codecs.of(type).quantize(gaussian(r, rows * cols), 0, rows * cols, seg, 0);
        } else {
            for (long i = 0; i < bytes; i++) {
                seg.set(Layouts.BYTE, i, (byte) r.nextInt(256));
            }
            for (long b = 0, n = bytes / type.blockBytes(); b < n; b++) {
                long o = b * type.blockBytes();
                for (int field : scaleFields(type)) {
                    seg.set(Layouts.SHORT, o + field, Float.floatToFloat16((float) (0.05 * r.nextGaussian())));
                }
            }
        }
        return new Tensor("w", type, new long[] {rows, cols}, seg);
    }

    /** Byte offsets of the fp16 scale/minimum fields in one block. */
    private static int[] scaleFields(GgmlType type) {
        return switch (type) {
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q5_0 -> new int[] {0};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException(type.toString());
        };
    }
}
