package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * Q3_K quantization (layout in {@link Q3_KCodec}), following ggml b4747: without importance
 * {@code quantize_row_q3_K_ref} (each 16-value sub-block by make_q3_quants with its x²-weighted refinement,
 * the 16 signed scales quantized to 6 bits against the one of largest magnitude), with importance
 * {@code quantize_row_q3_K_impl} (make_qx_quants with weights importance·√(σ² + x²), σ² = 2·mean square of the
 * block, and the scales themselves quantized by a weighted make_qx_quants). Values are then requantized
 * against the stored scales to −4..3; the third bit goes to hmask.
 */
final class Q3_KQuantizer {
    private static final int QK = 256;
    private static final int SUB = 16;
    private static final int HMASK = 0;
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;

    private Q3_KQuantizer() {
    }

    static void quantize(float[] x, int off, int n, float[] importance, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q3_K, n);
        int bytes = GgmlType.Q3_K.blockBytes();
        byte[] L = new byte[QK];
        float[] scales = new float[QK / SUB];
        byte[] out = new byte[bytes];
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            java.util.Arrays.fill(out, (byte) 0);
            if (importance == null) {
                reference(x, in, L, scales, out);
            } else {
                weighted(x, in, importance, b * QK, L, scales, out);
            }
            requantizeAndPack(x, in, L, out);
            MemorySegment.copy(out, 0, dst, Layouts.BYTE, byteOffset + (long) b * bytes, bytes);
        }
    }

    private static void reference(float[] x, int in, byte[] L, float[] scales, byte[] out) {
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < QK / SUB; j++) {
            scales[j] = ScaleSearch.makeQ3(SUB, 4, x, in + SUB * j, L, SUB * j, true);
            float scale = Math.abs(scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = scales[j];
            }
        }
        if (maxScale != 0) {
            float iscale = -32.f / maxScale;
            for (int j = 0; j < QK / SUB; j++) {
                int l = (byte) ScaleSearch.nearestInt(iscale * scales[j]);
                l = Math.max(-32, Math.min(31, l)) + 32;
                putScale(out, j, l);
            }
            BlockBytes.putF16(out, D, 1 / iscale);
        } else {
            BlockBytes.putF16(out, D, 0.f);
        }
    }

    private static void weighted(float[] x, int in, float[] importance, int col, byte[] L, float[] scales, byte[] out) {
        float[] weight = new float[SUB];
        float[] sw = new float[QK / SUB];
        byte[] ls = new byte[QK / SUB];
        float sumX2 = 0;
        for (int j = 0; j < QK; j++) {
            sumX2 += x[in + j] * x[in + j];
        }
        float sigma2 = 2 * sumX2 / QK;
        for (int j = 0; j < QK / SUB; j++) {
            for (int l = 0; l < SUB; l++) {
                float v = x[in + SUB * j + l];
                weight[l] = importance[col + SUB * j + l] * (float) Math.sqrt(sigma2 + v * v);
            }
            float sumw = 0;
            for (int l = 0; l < SUB; l++) {
                sumw += weight[l];
            }
            sw[j] = sumw;
            scales[j] = ScaleSearch.makeQx(SUB, 4, x, in + SUB * j, L, SUB * j, 1, weight, 0);
        }
        float dBlock = ScaleSearch.makeQx(QK / SUB, 32, scales, 0, ls, 0, 1, sw, 0);
        for (int j = 0; j < QK / SUB; j++) {
            putScale(out, j, ls[j]);
        }
        BlockBytes.putF16(out, D, dBlock);
    }

    /** Stores the 6-bit scale code {@code l} (0..63) of sub-block j into the 12 scale bytes (zeroed first). */
    private static void putScale(byte[] out, int j, int l) {
        if (j < 8) {
            out[SCALES + j] = (byte) (l & 0xF);
        } else {
            out[SCALES + j - 8] |= (byte) ((l & 0xF) << 4);
        }
        l = (byte) l >> 4;
        out[SCALES + j % 4 + 8] |= (byte) (l << (2 * (j / 4)));
    }

    private static void requantizeAndPack(float[] x, int in, byte[] L, byte[] out) {
        float dAll = BlockBytes.f16(out, D);
        for (int j = 0; j < QK / SUB; j++) {
            int low = j < 8 ? out[SCALES + j] & 0xF : (out[SCALES + j - 8] & 0xFF) >>> 4;
            int sc = (byte) (low | ((out[SCALES + 8 + j % 4] & 0xFF) >>> (2 * (j / 4)) & 3) << 4) - 32;
            float d = dAll * sc;
            if (d == 0) {
                continue;
            }
            for (int ii = 0; ii < SUB; ii++) {
                int l = ScaleSearch.nearestInt(x[in + SUB * j + ii] / d);
                L[SUB * j + ii] = (byte) (Math.max(-4, Math.min(3, l)) + 4);
            }
        }
        int m = 0;
        int hm = 1;
        for (int j = 0; j < QK; j++) {
            if (L[j] > 3) {
                out[HMASK + m] |= (byte) hm;
                L[j] -= 4;
            }
            if (++m == QK / 8) {
                m = 0;
                hm <<= 1;
            }
        }
        for (int j = 0; j < QK; j += 128) {
            for (int l = 0; l < 32; l++) {
                out[QS + j / 4 + l] = (byte) (L[j + l] | L[j + l + 32] << 2 | L[j + l + 64] << 4 | L[j + l + 96] << 6);
            }
        }
    }
}
