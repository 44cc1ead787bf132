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

    @Override
    public boolean canQuantize() {
        return true;
    }

    /**
     * ggml's {@code quantize_row_q8_K_ref}: d = max/−127 (max = the value of largest magnitude, so d is float32
     * and may be negative), q = min(127, nearest(x/d)), bsums = Σ of each 16 quants; an all-zero block is zeros.
     */
    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            int in = srcOffset + b * QK;
            long block = byteOffset + (long) b * BYTES;
            float max = 0;
            float amax = 0;
            for (int j = 0; j < QK; j++) {
                float ax = Math.abs(src[in + j]);
                if (ax > amax) {
                    amax = ax;
                    max = src[in + j];
                }
            }
            if (amax == 0) {
                dst.asSlice(block, BYTES).fill((byte) 0);
                continue;
            }
            float iscale = -127.f / max;
            for (int j = 0; j < QK; j++) {
                dst.set(Layouts.BYTE, block + 4 + j, (byte) Math.min(127, ScaleSearch.nearestInt(iscale * src[in + j])));
            }
            for (int j = 0; j < QK / 16; j++) {
                int sum = 0;
                for (int i = 0; i < 16; i++) {
                    sum += Blocks.i8(dst, block + 4 + 16 * j + i);
                }
                dst.set(Layouts.SHORT, block + 4 + QK + 2L * j, (short) sum);
            }
            dst.set(Layouts.FLOAT, block, 1 / iscale);
        }
    }
}
