package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Q3_K: super-blocks of 256 values in 16 sub-blocks of 16, 110 bytes:
 * <pre>
 *   [0, 32)    hmask: the third bit of each quant; element i uses bit (i/32) of byte i%32
 *   [32, 96)   qs: low 2 bits, four per byte; element i in byte 32·(i/128) + i%32 at bit 2·((i%128)/32)
 *   [96, 108)  16 scales of 6 bits, stored with an offset of 32 (see {@link #scale})
 *   [108, 110) d fp16
 * </pre>
 * value = d·(scale − 32)·(q − 4·(1 − hbit)), i.e. q in [−4, 3] where a set hmask bit means "no offset".
 */
final class Q3_KCodec implements BlockCodec {
    private static final int QK = 256;
    private static final int BYTES = GgmlType.Q3_K.blockBytes();
    private static final int HMASK = 0;
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    /**
     * The 6-bit scale k (0..15) of the 12 scale bytes: its low 4 bits are the low nibble of byte k (k < 8) or
     * the high nibble of byte k−8 (k ≥ 8); its high 2 bits are bits 2·(k/4), 2·(k/4)+1 of byte 8 + k%4.
     */
    static int scale(MemorySegment src, long scales, int k) {
        int low = k < 8 ? Blocks.u8(src, scales + k) & 0x0F : Blocks.u8(src, scales + k - 8) >>> 4;
        int high = (Blocks.u8(src, scales + 8 + k % 4) >>> (2 * (k / 4))) & 3;
        return low | high << 4;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type(), n);
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * BYTES;
            float d = Blocks.f16(src, block + D);
            for (int sub = 0; sub < 16; sub++) {
                float dl = d * (scale(src, block + SCALES, sub) - 32);
                for (int i = sub * 16; i < sub * 16 + 16; i++) {
                    int low = (Blocks.u8(src, block + QS + 32 * (i / 128) + i % 32) >>> (2 * ((i % 128) / 32))) & 3;
                    int hbit = (Blocks.u8(src, block + HMASK + i % 32) >>> (i / 32)) & 1;
                    dst[dstOffset + b * QK + i] = dl * (low - (hbit == 0 ? 4 : 0));
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
        Q3_KQuantizer.quantize(src, srcOffset, n, null, dst, byteOffset);
    }

    @Override
    public boolean usesImportance() {
        return true;
    }

    @Override
    public void quantizeRow(float[] src, int srcOffset, int n, float[] importance, MemorySegment dst, long byteOffset) {
        Q3_KQuantizer.quantize(src, srcOffset, n, importance, dst, byteOffset);
    }
}
