package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q2_K: super-blocks of 256 values in 16 sub-blocks of 16, 84 bytes:
 * <pre>
 *   [0, 16)   scales: per sub-block, low nibble = scale, high nibble = minimum (4-bit each)
 *   [16, 80)  qs: 2-bit quants, four per byte
 *   [80, 82)  d    fp16, multiplies the 4-bit scales
 *   [82, 84)  dmin fp16, multiplies the 4-bit minimums
 * </pre>
 * value = d·scale·q − dmin·min. Element i (0..255) lives in byte {@code qs[32·(i/128) + i%32]} at bit
 * {@code 2·((i%128)/32)}, and uses sub-block {@code i/16}.
 */
final class Q2_KCodec implements BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = GgmlType.Q2_K.blockBytes();
    private static final int SCALES = 0;
    private static final int QS = 16;
    private static final int D = 80;
    private static final int DMIN = 82;

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(src, block + D);
            float dmin = Blocks.f16(src, block + DMIN);
            for (int i = 0; i < QK; i++) {
                int sc = Blocks.u8(src, block + SCALES + i / 16);
                float scale = d * (sc & 0x0F);
                float min = dmin * (sc >>> 4);
                int packed = Blocks.u8(src, block + QS + 32 * (i / 128) + i % 32);
                int q = (packed >>> (2 * ((i % 128) / 32))) & 3;
                dst[dstOffset + b * QK + i] = scale * q - min;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        Q2_KQuantizer.quantize(src, srcOffset, n, null, dst, byteOffset);
    }

    @Override
    public boolean usesImportance() {
        return true;
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, float[] importance, MemorySegment dst, long byteOffset) {
        Q2_KQuantizer.quantize(src, srcOffset, n, importance, dst, byteOffset);
    }
}
