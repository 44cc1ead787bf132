package io.llmopt.bench;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Random weight matrices of realistic shapes for benchmarks (speed does not depend on the values): types
 * with a reference quantizer (F32, F16, BF16, Q8_0, Q4_0) are quantized from N(0, 0.02²) values, the other
 * block types are random bytes with finite fp16 scales. {@link #copies} fills a working set larger than the
 * caches with byte copies of one matrix, as a model's layers would be.
 */
final class RandomMatrices {
    private RandomMatrices() {
    }

    static Tensor create(Arena arena, GgmlType type, int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long bytes = type.byteSize((long) rows * cols);
        MemorySegment seg = arena.allocate(bytes, 64);
        if (Codecs.of(type).canQuantize()) {
            float[] row = new float[cols];
            long rowBytes = type.byteSize(cols);
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < cols; c++) {
                    row[c] = (float) (0.02 * r.nextDouble(-1.7, 1.7));
                }
                Codecs.of(type).quantize(row, 0, cols, seg, i * rowBytes);
            }
        } else {
            for (long i = 0; i + 8 <= bytes; i += 8) {
                seg.set(Layouts.LONG, i, r.nextLong());
            }
            int[] fields = switch (type) {
                case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
                case Q5_0 -> new int[] {0};
                case Q2_K -> new int[] {80, 82};
                case Q3_K -> new int[] {108};
                case Q6_K -> new int[] {208};
                default -> new int[0];
            };
            for (long o = 0; o < bytes; o += type.blockBytes()) {
                for (int f : fields) {
                    seg.set(Layouts.SHORT, o + f, Float.floatToFloat16((float) (0.001 * r.nextDouble(0.5, 1.5))));
                }
            }
        }
        return new Tensor(type + "-" + rows + "x" + cols, type, new long[] {rows, cols}, seg);
    }

    /** {@code first} and byte copies of it, enough to cover {@code workingSetBytes}. */
    static Tensor[] copies(Arena arena, Tensor first, long workingSetBytes) {
        int n = (int) Math.max(1, workingSetBytes / first.byteSize());
        Tensor[] out = new Tensor[n];
        out[0] = first;
        for (int i = 1; i < n; i++) {
            MemorySegment seg = arena.allocate(first.byteSize(), 64);
            seg.copyFrom(first.data());
            out[i] = new Tensor(first.name() + "#" + i, first.type(), first.shape(), seg);
        }
        return out;
    }

    /** {@code t} over read-only memory, like a matrix mapped from a model file (float matrices get execution forms only then). */
    static Tensor readOnly(Tensor t) {
        return new Tensor(t.name(), t.type(), t.shape(), t.data().asReadOnly());
    }
}
