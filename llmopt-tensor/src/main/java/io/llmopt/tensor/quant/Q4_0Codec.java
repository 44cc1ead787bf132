package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * Q4_0: blocks of 32 values, 18 bytes = fp16 scale {@code d} + 16 bytes of nibbles; byte j holds element j
 * in its low nibble and element j+16 in its high nibble; value = (nibble − 8)·d.
 *
 * <p>Quantization follows ggml's reference ({@code quantize_row_q4_0_ref}): {@code max} is the value of
 * largest magnitude with its sign (the first one on ties), d = max / −8, and
 * q = min(15, (int) (x·(1/d) + 8.5f)) evaluated in float without fused multiply-add. Because d carries the
 * sign of max, max itself maps to nibble 0 (−8·d) and the opposite side gets the 7 remaining steps.
 */
final class Q4_0Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = GgmlType.Q4_0.blockBytes();

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(src, block);
            int out = dstOffset + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int packed = Blocks.u8(src, block + 2 + j);
                dst[out + j] = ((packed & 0x0F) - 8) * d;
                dst[out + j + QK / 2] = ((packed >>> 4) - 8) * d;
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
            float max = 0f;
            for (int j = 0; j < QK; j++) {
                float v = src[in + j];
                if (amax < Math.abs(v)) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0f ? 1f / d : 0f;
            Blocks.putF16(dst, block, d);
            for (int j = 0; j < QK / 2; j++) {
                int lo = nibble(src[in + j] * id);
                int hi = nibble(src[in + j + QK / 2] * id);
                dst.set(Layouts.BYTE, block + 2 + j, (byte) (lo | hi << 4));
            }
        }
    }

    /** ggml: MIN(15, (int8_t)(x + 8.5f)); x·id lies in [−8, 8] so the truncation never goes below 0. */
    private static int nibble(float scaled) {
        return Math.min(15, (int) (scaled + 8.5f));
    }

    @Override
    public boolean usesImportance() {
        return true;
    }

    /** With importance: ggml's {@code quantize_row_q4_0_impl}, see {@link WeightedLegacyQuantizers#q4_0}. */
    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, float[] importance, MemorySegment dst, long byteOffset) {
        if (importance == null) {
            quantize(src, srcOffset, n, dst, byteOffset);
        } else {
            WeightedLegacyQuantizers.q4_0(src, srcOffset, n, importance, dst, byteOffset);
        }
    }
}
