package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * bitsandbytes' 4-bit types NF4 and FP4 in llmopt's in-memory layout: blocks of 64 values, 36 bytes = float32
 * absmax of the block, then 32 bytes of 4-bit codes in bitsandbytes' packing (byte j: element 2j in the high
 * nibble, element 2j+1 in the low nibble); value = TABLE[code]·absmax. The 32 code bytes of a block are the
 * bytes bitsandbytes stores for it, so converting to and from its safetensors layout copies them.
 *
 * <p>Quantization as bitsandbytes' reference ({@code quantize_4bit}): absmax = max|x| over the block,
 * s = clamp(x·(1/absmax), −1, 1), code = the index of the nearest table value (the lower index on ties). An
 * all-zero block gets absmax 0 and the code of 0.
 */
final class FourBitCodec implements BlockCodec {
    /** bitsandbytes' NF4 levels (QLoRA, normal quantiles), as float32. */
    static final float[] NF4 = {-1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f,
        0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f, 0.5626170039176941f,
        0.7229568362236023f, 1.0f};
    /**
     * bitsandbytes' FP4 levels: sign bit, 2 exponent bits, 1 mantissa bit — {0, 0.0625, 8, 12, 4, 6, 2, 3} and
     * their negatives — divided by the largest, 12.
     */
    static final float[] FP4 = fp4Table();

    private static final int QK = 64;

    private final GgmlType type;
    private final float[] table;
    private final int zeroCode;

    private FourBitCodec(GgmlType type, float[] table) {
        this.type = type;
        this.table = table;
        this.zeroCode = nearest(table, 0f);
    }

    static FourBitCodec nf4() {
        return new FourBitCodec(GgmlType.NF4, NF4);
    }

    static FourBitCodec fp4() {
        return new FourBitCodec(GgmlType.FP4, FP4);
    }

    private static float[] fp4Table() {
        double[] magnitudes = {0, 0.0625, 8, 12, 4, 6, 2, 3};
        float[] t = new float[16];
        for (int i = 0; i < 8; i++) {
            t[i] = (float) (magnitudes[i] / 12);
            t[i + 8] = (float) (-magnitudes[i] / 12);
        }
        return t;
    }

    /** The 16 levels, by code. */
    float[] table() {
        return table.clone();
    }

    @Override
    public GgmlType type() {
        return type;
    }

    @Override
    public void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n) {
        int blocks = Blocks.count(type, n);
        int bytes = type.blockBytes();
        for (int b = 0; b < blocks; b++) {
            long block = byteOffset + (long) b * bytes;
            float absmax = src.get(Layouts.FLOAT, block);
            int out = dstOffset + b * QK;
            for (int j = 0; j < QK / 2; j++) {
                int packed = Blocks.u8(src, block + 4 + j);
                dst[out + 2 * j] = table[packed >>> 4] * absmax;
                dst[out + 2 * j + 1] = table[packed & 0x0F] * absmax;
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(type, n);
        int bytes = type.blockBytes();
        for (int b = 0; b < blocks; b++) {
            int in = srcOffset + b * QK;
            long block = byteOffset + (long) b * bytes;
            float absmax = 0;
            for (int j = 0; j < QK; j++) {
                absmax = Math.max(absmax, Math.abs(src[in + j]));
            }
            dst.set(Layouts.FLOAT, block, absmax);
            float inv = 1 / absmax;
            for (int j = 0; j < QK / 2; j++) {
                int hi = absmax == 0 ? zeroCode : nearest(table, clamp(src[in + 2 * j] * inv));
                int lo = absmax == 0 ? zeroCode : nearest(table, clamp(src[in + 2 * j + 1] * inv));
                dst.set(Layouts.BYTE, block + 4 + j, (byte) (hi << 4 | lo));
            }
        }
    }

    private static float clamp(float s) {
        return Math.max(-1f, Math.min(1f, s));
    }

    /** Index of the table value nearest to s; the lowest such index on ties (torch.argmin). */
    static int nearest(float[] table, float s) {
        int best = 0;
        float bestDistance = Math.abs(s - table[0]);
        for (int k = 1; k < table.length; k++) {
            float d = Math.abs(s - table[k]);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
    }
}
