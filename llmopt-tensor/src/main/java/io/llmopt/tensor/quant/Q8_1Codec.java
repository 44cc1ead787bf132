package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q8_1: blocks of 32 values, 36 bytes = fp16 scale {@code d}, fp16 {@code s} (= d·Σq, a precomputed sum used
 * by ggml's dot kernels, not needed to decode), 32 signed bytes {@code q}; value = q·d. ggml uses it for
 * quantized activations, rarely for stored weights.
 */
final class Q8_1Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = GgmlType.Q8_1.blockBytes();

    @Override
    public GgmlType type() {
        return GgmlType.Q8_1;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(src, block);
            int out = dstOffset + b * QK;
            for (int j = 0; j < QK; j++) {
                dst[out + j] = Blocks.i8(src, block + 4 + j) * d;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        LegacyQuantizers.q8_1(src, srcOffset, n, dst, byteOffset);
    }
}
