package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * Q8_K: super-blocks of 256 values, 292 bytes = float32 scale {@code d}, 256 signed bytes {@code q}, then 16
 * int16 sums of each group of 16 quants (used by ggml's dot kernels, not needed to decode); value = q·d.
 * ggml uses it only for intermediate activations.
 */
final class Q8_KCodec implements BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = GgmlType.Q8_K.blockBytes();

    @Override
    public GgmlType type() {
        return GgmlType.Q8_K;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float d = src.get(Layouts.FLOAT, block);
            int out = dstOffset + b * QK;
            for (int j = 0; j < QK; j++) {
                dst[out + j] = d * Blocks.i8(src, block + 4 + j);
            }
        }
    }
}
