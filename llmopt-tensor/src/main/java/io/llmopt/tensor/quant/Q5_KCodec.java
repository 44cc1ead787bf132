package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q5_K: super-blocks of 256 values in 8 sub-blocks of 32, 176 bytes:
 * <pre>
 *   [0, 2)    d    fp16, multiplies the 6-bit scales
 *   [2, 4)    dmin fp16, multiplies the 6-bit minimums
 *   [4, 16)   scales and minimums, see {@link KScales}
 *   [16, 48)  qh: fifth bits; element l of sub-block s uses bit s of qh[l]
 *   [48, 176) qs: low 4 bits, packed as in Q4_K
 * </pre>
 * value = d·scale·q − dmin·min with q in [0, 31].
 */
final class Q5_KCodec implements BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = GgmlType.Q5_K.blockBytes();
    private static final int D = 0;
    private static final int DMIN = 2;
    private static final int SCALES = 4;
    private static final int QH = 16;
    private static final int QS = 48;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
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
                    int low = (Blocks.u8(src, qs + l) >>> shift) & 0x0F;
                    int high = (Blocks.u8(src, block + QH + l) >>> sub) & 1;
                    dst[out + l] = scale * (low | high << 4) - min;
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
        AffineKQuantizer.quantize(AffineKQuantizer.Kind.Q5_K, src, srcOffset, n, null, dst, byteOffset);
    }

    @Override
    public boolean usesImportance() {
        return true;
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, float[] importance, MemorySegment dst, long byteOffset) {
        AffineKQuantizer.quantize(AffineKQuantizer.Kind.Q5_K, src, srcOffset, n, importance, dst, byteOffset);
    }
}
