package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q4_K: super-blocks of 256 values in 8 sub-blocks of 32, 144 bytes:
 * <pre>
 *   [0, 2)    d    fp16, multiplies the 6-bit scales
 *   [2, 4)    dmin fp16, multiplies the 6-bit minimums
 *   [4, 16)   scales and minimums, see {@link KScales}
 *   [16, 144) qs: 4-bit quants; 64 values per 32 bytes: sub-block 2g in the low nibbles of
 *             qs[32g .. 32g+32), sub-block 2g+1 in their high nibbles
 * </pre>
 * value = d·scale·q − dmin·min.
 */
final class Q4_KCodec implements BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = GgmlType.Q4_K.blockBytes();
    private static final int D = 0;
    private static final int DMIN = 2;
    private static final int SCALES = 4;
    private static final int QS = 16;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(src, block + D);
            float dmin = Blocks.f16(src, block + DMIN);
            for (int sub = 0; sub < 8; sub++) {
                float scale = d * KScales.scale(src, block + SCALES, sub);
                float min = dmin * KScales.min(src, block + SCALES, sub);
                int shift = 4 * (sub % 2);
                long qs = block + QS + 32L * (sub / 2);
                int out = dstOffset + b * QK + sub * 32;
                for (int l = 0; l < 32; l++) {
                    int q = (Blocks.u8(src, qs + l) >>> shift) & 0x0F;
                    dst[out + l] = scale * q - min;
                }
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        AffineKQuantizer.quantize(AffineKQuantizer.Kind.Q4_K, src, srcOffset, n, null, dst, byteOffset);
    }

    @Override
    public boolean usesImportance() {
        return true;
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, float[] importance, MemorySegment dst, long byteOffset) {
        AffineKQuantizer.quantize(AffineKQuantizer.Kind.Q4_K, src, srcOffset, n, importance, dst, byteOffset);
    }
}
