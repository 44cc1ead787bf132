package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * Q5_0: blocks of 32 values, 22 bytes = fp16 scale {@code d}, a 32-bit little-endian word {@code qh} whose
 * bit i is the fifth bit of element i, then 16 bytes of low nibbles (byte j: element j low, element j+16
 * high); value = (q − 16)·d with q in [0, 31].
 */
final class Q5_0Codec implements BlockCodec {
    private static final int QK = 32;
    private static final int BYTES = GgmlType.Q5_0.blockBytes();

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(src, block);
            int qh = src.get(Layouts.INT, block + 2);
            int out = dstOffset + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int packed = Blocks.u8(src, block + 6 + j);
                int lo = (packed & 0x0F) | ((qh >>> j) & 1) << 4;
                int hi = (packed >>> 4) | ((qh >>> (j + QK / 2)) & 1) << 4;
                dst[out + j] = (lo - 16) * d;
                dst[out + j + QK / 2] = (hi - 16) * d;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        LegacyQuantizers.q5_0(src, srcOffset, n, dst, byteOffset);
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
            WeightedLegacyQuantizers.q5_0(src, srcOffset, n, importance, dst, byteOffset);
        };
    }
}
