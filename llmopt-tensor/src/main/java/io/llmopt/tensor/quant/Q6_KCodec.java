package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q6_K: super-blocks of 256 values in 16 sub-blocks of 16, 210 bytes:
 * <pre>
 *   [0, 128)   ql: low 4 bits
 *   [128, 192) qh: high 2 bits
 *   [192, 208) 16 signed 8-bit scales, one per sub-block (i/16)
 *   [208, 210) d fp16
 * </pre>
 * Each half h (128 values) is four quarters k of 32: element l of quarter k takes the
 * {@code k < 2 ? low : high} nibble of {@code ql[64h + 32·(k%2) + l]} and bits {@code 2k, 2k+1} of
 * {@code qh[32h + l]}. value = d·scale·(q − 32), q in [0, 63].
 */
final class Q6_KCodec implements BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = GgmlType.Q6_K.blockBytes();
    private static final int QL = 0;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(src, block + D);
            for (int i = 0; i < QK; i++) {
                int half = i / 128;
                int quarter = (i % 128) / 32;
                int l = i % 32;
                int lowByte = Blocks.u8(src, block + QL + 64 * half + 32 * (quarter % 2) + l);
                int low = quarter < 2 ? lowByte & 0x0F : lowByte >>> 4;
                int high = (Blocks.u8(src, block + QH + 32 * half + l) >>> (2 * quarter)) & 3;
                float scale = d * Blocks.i8(src, block + SCALES + i / 16);
                dst[dstOffset + b * QK + i] = scale * ((low | high << 4) - 32);
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        Q6_KQuantizer.quantize(src, srcOffset, n, null, dst, byteOffset);
    }

    @Override
    public boolean usesImportance() {
        return true;
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, float[] importance, MemorySegment dst, long byteOffset) {
        Q6_KQuantizer.quantize(src, srcOffset, n, importance, dst, byteOffset);
    }
}
