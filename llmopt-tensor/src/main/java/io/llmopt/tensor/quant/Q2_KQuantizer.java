package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * Q2_K quantization (layout in {@link Q2_KCodec}), following ggml b4747: without importance
 * {@code quantize_row_q2_K_ref} (each 16-value sub-block fitted by make_qkx2_quants with weights |x| and the
 * absolute error; its scale and minimum then quantized to 4 bits against the block's largest), with
 * importance {@code quantize_row_q2_K_impl} (make_qkx3_quants with weights importance·√(σ² + x²), σ² the
 * block's mean square, and the 4-bit scales/minimums chosen by make_qp_quants). Both then requantize every
 * value against its sub-block's stored (fp16-rounded) scale and minimum.
 */
final class Q2_KQuantizer {
    private static final int QK = 256;
    private static final int SUB = 16;
    private static final int SCALES = 0;
    private static final int QS = 16;
    private static final int D = 80;
    private static final int DMIN = 82;

    private Q2_KQuantizer() {
    }

    static void quantize(float[] x, int off, int n, float[] importance, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q2_K, n);
        int bytes = GgmlType.Q2_K.blockBytes();
        byte[] L = new byte[QK];
        byte[] laux = new byte[SUB];
        float[] weights = new float[SUB];
        float[] mins = new float[QK / SUB];
        float[] scales = new float[QK / SUB];
        byte[] out = new byte[bytes];
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            if (importance == null) {
                reference(x, in, L, laux, weights, mins, scales, out);
            } else {
                weighted(x, in, importance, b * QK, L, laux, weights, mins, scales, out);
            }
            requantizeAndPack(x, in, L, out);
            MemorySegment.copy(out, 0, dst, Layouts.BYTE, byteOffset + (long) b * bytes, bytes);
        }
    }

    private static void reference(float[] x, int in, byte[] L, byte[] laux, float[] weights, float[] mins,
            float[] scales, byte[] out) {
        final float q4scale = 15.f;
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < QK / SUB; j++) {
            for (int l = 0; l < SUB; l++) {
                weights[l] = Math.abs(x[in + SUB * j + l]);
            }
            scales[j] = AffineSearch.makeQkx2(SUB, 3, x, in + SUB * j, weights, L, SUB * j, mins, j, laux, -0.5f, 0.1f, 15, true);
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        if (maxScale > 0) {
            float iscale = q4scale / maxScale;
            for (int j = 0; j < QK / SUB; j++) {
                out[SCALES + j] = (byte) ScaleSearch.nearestInt(iscale * scales[j]);
            }
            BlockBytes.putF16(out, D, maxScale / q4scale);
        } else {
            for (int j = 0; j < QK / SUB; j++) {
                out[SCALES + j] = 0;
            }
            BlockBytes.putF16(out, D, 0.f);
        }
        if (maxMin > 0) {
            float iscale = q4scale / maxMin;
            for (int j = 0; j < QK / SUB; j++) {
                int l = ScaleSearch.nearestInt(iscale * mins[j]);
                out[SCALES + j] |= (byte) (l << 4);
            }
            BlockBytes.putF16(out, DMIN, maxMin / q4scale);
        } else {
            BlockBytes.putF16(out, DMIN, 0.f);
        }
    }

    private static void weighted(float[] x, int in, float[] importance, int col, byte[] L, byte[] laux, float[] weight,
            float[] mins, float[] scales, byte[] out) {
        float[] sw = new float[QK / SUB];
        byte[] ls = new byte[QK / SUB];
        byte[] lm = new byte[QK / SUB];
        float sumX2 = 0;
        for (int j = 0; j < QK; j++) {
            sumX2 += x[in + j] * x[in + j];
        }
        float sigma2 = sumX2 / QK;
        for (int j = 0; j < QK / SUB; j++) {
            for (int l = 0; l < SUB; l++) {
                float v = x[in + SUB * j + l];
                weight[l] = importance[col + SUB * j + l] * (float) Math.sqrt(sigma2 + v * v);
            }
            for (int l = 0; l < QK / SUB; l++) {
                sw[j] += weight[l];
            }
            scales[j] = AffineSearch.makeQkx3(SUB, 3, x, in + SUB * j, weight, L, SUB * j, mins, j, laux, -0.9f, 0.05f, 36, false);
        }
        float dm = ScaleSearch.makeQp(QK / SUB, 15, scales, ls, sw);
        float mm = ScaleSearch.makeQp(QK / SUB, 15, mins, lm, sw);
        BlockBytes.putF16(out, D, dm);
        BlockBytes.putF16(out, DMIN, mm);
        for (int j = 0; j < QK / SUB; j++) {
            out[SCALES + j] = (byte) (ls[j] | lm[j] << 4);
        }
    }

    /** Levels from the stored scale/min (sub-blocks with a zero scale keep the search's levels), then packing. */
    private static void requantizeAndPack(float[] x, int in, byte[] L, byte[] out) {
        float dAll = BlockBytes.f16(out, D);
        float minAll = BlockBytes.f16(out, DMIN);
        for (int j = 0; j < QK / SUB; j++) {
            int sc = out[SCALES + j] & 0xFF;
            float d = dAll * (sc & 0xF);
            if (d == 0) {
                continue;
            }
            float dm = minAll * (sc >>> 4);
            for (int ii = 0; ii < SUB; ii++) {
                int l = ScaleSearch.nearestInt((x[in + SUB * j + ii] + dm) / d);
                L[SUB * j + ii] = (byte) Math.max(0, Math.min(3, l));
            }
        }
        for (int j = 0; j < QK; j += 128) {
            for (int l = 0; l < 32; l++) {
                out[QS + j / 4 + l] = (byte) (L[j + l] | L[j + l + 32] << 2 | L[j + l + 64] << 4 | L[j + l + 96] << 6);
            }
        }
    }
}
