package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q4_1: blocks of 32 values, 20 bytes = fp16 scale {@code d}, fp16 minimum {@code m}, 16 bytes of nibbles
 * (byte j: element j low, element j+16 high); value = nibble·d + m.
 */
final class Q4_1Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = GgmlType.Q4_1.blockBytes();

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(src, block);
            float m = Blocks.f16(src, block + 2);
            int out = dstOffset + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int packed = Blocks.u8(src, block + 4 + j);
                dst[out + j] = (packed & 0x0F) * d + m;
                dst[out + j + QK / 2] = (packed >>> 4) * d + m;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        LegacyQuantizers.q4_1(src, srcOffset, n, dst, byteOffset);
    }

    @Override
    public boolean usesImportance() {
        return true;
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, float[] importance, MemorySegment dst, long byteOffset) {
        if (importance == null) {
            quantize(src, srcOffset, n, dst, byteOffset);
        } else {
            WeightedLegacyQuantizers.q4_1(src, srcOffset, n, importance, dst, byteOffset);
        };
    }
}
