package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * IQ4_NL: blocks of 32 values, 18 bytes = fp16 scale {@code d} + 16 bytes of 4-bit indices (byte j: element j
 * in the low nibble, element j+16 in the high nibble) into a fixed non-uniform table; value = d·VALUES[index].
 * llama.cpp uses it as the fallback of Q2_K/Q3_K for rows that are not a multiple of 256.
 *
 * <p>Quantization follows ggml b4747's {@code quantize_iq4_nl} (what llama-quantize runs, with importance or
 * without, where the weights are x²): d0 = max/−127 (max = the value of largest magnitude), nearest table entry
 * for each x/d0, a least-squares scale, then 15 trial scales (−127 + t)/max, t = −7..7, keeping the best fit;
 * finally every value is re-indexed against the stored scale.
 */
final class IQ4_NLCodec implements BlockCodec {
    /** ggml's kvalues_iq4nl. */
    static final int[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    private static final int QK = 32;
    private static final int BYTES = GgmlType.IQ4_NL.blockBytes();
    private static final int NTRY = 7;

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
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
                dst[out + j] = d * VALUES[packed & 0x0F];
                dst[out + j + QK / 2] = d * VALUES[packed >>> 4];
            }
        }
    }

    @Override
    public boolean canQuantize() {
        return true;
    }

    @Override
    public void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        quantizeRow(src, srcOffset, n, null, dst, byteOffset);
    }

    @Override
    public boolean usesImportance() {
        return true;
    }

    @Override
    public void quantizeRow(float[] x, int off, int n, float[] importance, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(type(), n);
        float[] weight = new float[QK];
        int[] L = new int[QK];
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            long block = byteOffset + (long) b * BYTES;
            float sigma2 = 0;
            for (int j = 0; j < QK; j++) {
                sigma2 += x[in + j] * x[in + j];
            }
            sigma2 *= 2.f / QK;
            for (int j = 0; j < QK; j++) {
                float v = x[in + j];
                weight[j] = importance != null ? importance[b * QK + j] * (float) Math.sqrt(sigma2 + v * v) : v * v;
            }
            float scale = blockScale(x, in, weight, L);
            Blocks.putF16(dst, block, scale);
            float id = scale != 0 ? 1 / scale : 0;
            for (int j = 0; j < QK; j++) {
                L[j] = bestIndex(id * x[in + j]);
            }
            for (int j = 0; j < QK / 2; j++) {
                dst.set(Layouts.BYTE, block + 2 + j, (byte) (L[j] | L[j + QK / 2] << 4));
            }
        }
    }

    /** The scale search of {@code quantize_row_iq4_nl_impl} for one 32-value block (0 for an all-zero block). */
    private static float blockScale(float[] x, int in, float[] weight, int[] L) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < QK; j++) {
            float ax = Math.abs(x[in + j]);
            if (ax > amax) {
                amax = ax;
                max = x[in + j];
            }
        }
        if (amax < ScaleSearch.GROUP_MAX_EPS) {
            return 0;
        }
        float d = -max / VALUES[0];
        float id = 1 / d;
        float sumqx = 0;
        float sumq2 = 0;
        for (int j = 0; j < QK; j++) {
            int l = bestIndex(id * x[in + j]);
            L[j] = l;
            float q = VALUES[l];
            float w = weight[j];
            sumqx += w * q * x[in + j];
            sumq2 += w * q * q;
        }
        d = sumqx / sumq2;
        float best = d * sumqx;
        for (int itry = -NTRY; itry <= NTRY; itry++) {
            id = (itry + VALUES[0]) / max;
            sumqx = 0;
            sumq2 = 0;
            for (int j = 0; j < QK; j++) {
                float q = VALUES[bestIndex(id * x[in + j])];
                float w = weight[j];
                sumqx += w * q * x[in + j];
                sumq2 += w * q * q;
            }
            if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        return d;
    }

    /** ggml's {@code best_index_int8}: the index of the table entry nearest to x (bisection, ties upward). */
    static int bestIndex(float x) {
        if (x <= VALUES[0]) {
            return 0;
        }
        if (x >= VALUES[15]) {
            return 15;
        }
        int ml = 0;
        int mu = 15;
        while (mu - ml > 1) {
            int mav = (ml + mu) / 2;
            if (x < VALUES[mav]) {
                mu = mav;
            } else {
                ml = mav;
            }
        }
        return x - VALUES[mu - 1] < VALUES[mu] - x ? mu - 1 : mu;
    }
}
