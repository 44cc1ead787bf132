package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * Q8_0: blocks of 32 values, 34 bytes = fp16 scale {@code d} + 32 signed bytes {@code q}; value = q·d.
 *
 * <p>Quantization follows ggml's reference ({@code quantize_row_q8_0_ref}): d = max|x| / 127 in float,
 * q = roundf(x · (1/d)) with halfway cases away from zero, d stored as fp16 rounded to nearest even. The
 * quants are computed with the float d, not the fp16 one, exactly as ggml does.
 */
final class Q8_0Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = GgmlType.Q8_0.blockBytes();

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(src, block);
            int out = dstOffset + b * QK;
            for (int j = 0; j < QK; j++) {
                dst[out + j] = Blocks.i8(src, block + 2 + j) * d;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            int in = srcOffset + b * QK;
            long block = byteOffset + (long) b * BYTES;
            float amax = 0f;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(src[in + j]));
            }
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            Blocks.putF16(dst, block, d);
            for (int j = 0; j < QK; j++) {
                dst.set(Layouts.BYTE, block + 2 + j, (byte) Blocks.roundHalfAwayFromZero(src[in + j] * id));
            }
        }
    }
}
