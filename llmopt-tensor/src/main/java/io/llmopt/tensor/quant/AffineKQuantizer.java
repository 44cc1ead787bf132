package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * Q4_K and Q5_K quantization (layouts in {@link Q4_KCodec}, {@link Q5_KCodec}), which differ only in the
 * number of levels per value and where the fifth bit goes. Following ggml b4747:
 * <ul>
 *   <li>without importance ({@code quantize_row_q4_K_ref}/{@code _q5_K_ref}): each 32-value sub-block is fitted
 *       by make_qkx2_quants with weights rms(sub-block) + |x|; the 8 scales and 8 minimums are quantized to 6
 *       bits against the largest of each, d = max/63;</li>
 *   <li>with importance ({@code quantize_row_q4_K_impl}/{@code _q5_K_impl}): make_qkx3_quants with weights
 *       importance·√(σ² + x²), σ² = 2·mean square of the block, and the 6-bit scales/minimums chosen by
 *       make_qp_quants weighted by each sub-block's total weight.</li>
 * </ul>
 * Both then requantize every value against its sub-block's stored scale and minimum.
 */
final class AffineKQuantizer {
    private static final int QK = 256;
    private static final int SUB = 32;
    private static final int D = 0;
    private static final int DMIN = 2;
    private static final int SCALES = 4;

    /** The per-type constants of the search and the block layout. */
    enum Kind {
        Q4_K(GgmlType.Q4_K, 15, -1.f, 0.1f, 20, false, 16),
        Q5_K(GgmlType.Q5_K, 31, -0.5f, 0.1f, 15, true, 48);

        final GgmlType type;
        final int nmax;
        final float rmin;
        final float rdelta;
        final int nstep;
        /** ggml's q5_K_impl clamps the make_qp_quants codes to 63; q4_K_impl does not. */
        final boolean clampWeightedCodes;
        final int qs;

        Kind(GgmlType type, int nmax, float rmin, float rdelta, int nstep, boolean clampWeightedCodes, int qs) {
            this.type = type;
            this.nmax = nmax;
            this.rmin = rmin;
            this.rdelta = rdelta;
            this.nstep = nstep;
            this.clampWeightedCodes = clampWeightedCodes;
            this.qs = qs;
        }
    }

    private AffineKQuantizer() {
    }

    static void quantize(Kind kind, float[] x, int off, int n, float[] importance, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(kind.type, n);
        int bytes = kind.type.blockBytes();
        byte[] L = new byte[QK];
        byte[] laux = new byte[SUB];
        float[] weights = new float[SUB];
        float[] mins = new float[QK / SUB];
        float[] scales = new float[QK / SUB];
        byte[] out = new byte[bytes];
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            java.util.Arrays.fill(out, (byte) 0);
            if (importance == null) {
                reference(kind, x, in, L, laux, weights, mins, scales, out);
            } else {
                weighted(kind, x, in, importance, b * QK, L, laux, weights, mins, scales, out);
            }
            requantize(kind, x, in, L, out);
            if (kind == Kind.Q4_K) {
                packQ4(L, out, kind.qs);
            } else {
                packQ5(L, out, kind.qs);
            }
            MemorySegment.copy(out, 0, dst, Layouts.BYTE, byteOffset + (long) b * bytes, bytes);
        }
    }

    private static void reference(Kind kind, float[] x, int in, byte[] L, byte[] laux, float[] weights, float[] mins,
            float[] scales, byte[] out) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < QK / SUB; j++) {
            float sumX2 = 0;
            for (int l = 0; l < SUB; l++) {
                sumX2 += x[in + SUB * j + l] * x[in + SUB * j + l];
            }
            float avX = (float) Math.sqrt(sumX2 / SUB);
            for (int l = 0; l < SUB; l++) {
                weights[l] = avX + Math.abs(x[in + SUB * j + l]);
            }
            scales[j] = AffineSearch.makeQkx2(SUB, kind.nmax, x, in + SUB * j, weights, L, SUB * j, mins, j, laux,
                    kind.rmin, kind.rdelta, kind.nstep, false);
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        for (int j = 0; j < QK / SUB; j++) {
            int ls = Math.min(63, ScaleSearch.nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, ScaleSearch.nearestInt(invMin * mins[j]) & 0xFF);
            putScaleMin(out, j, ls, lm);
        }
        BlockBytes.putF16(out, D, maxScale / 63.f);
        BlockBytes.putF16(out, DMIN, maxMin / 63.f);
    }

    private static void weighted(Kind kind, float[] x, int in, float[] importance, int col, byte[] L, byte[] laux,
            float[] weights, float[] mins, float[] scales, byte[] out) {
        float[] sw = new float[QK / SUB];
        byte[] ls = new byte[QK / SUB];
        byte[] lm = new byte[QK / SUB];
        float sumX2 = 0;
        for (int l = 0; l < QK; l++) {
            sumX2 += x[in + l] * x[in + l];
        }
        float sigma2 = 2 * sumX2 / QK;
        for (int j = 0; j < QK / SUB; j++) {
            for (int l = 0; l < SUB; l++) {
                float v = x[in + SUB * j + l];
                weights[l] = importance[col + SUB * j + l] * (float) Math.sqrt(sigma2 + v * v);
            }
            float sumw = 0;
            for (int l = 0; l < SUB; l++) {
                sumw += weights[l];
            }
            sw[j] = sumw;
            scales[j] = AffineSearch.makeQkx3(SUB, kind.nmax, x, in + SUB * j, weights, L, SUB * j, mins, j, laux,
                    -0.9f, 0.05f, 36, false);
        }
        float dBlock = ScaleSearch.makeQp(QK / SUB, 63, scales, ls, sw);
        float mBlock = ScaleSearch.makeQp(QK / SUB, 63, mins, lm, sw);
        for (int j = 0; j < QK / SUB; j++) {
            int s = ls[j] & 0xFF;
            int m = lm[j] & 0xFF;
            if (kind.clampWeightedCodes) {
                s = Math.min(63, s);
                m = Math.min(63, m);
            }
            putScaleMin(out, j, s, m);
        }
        BlockBytes.putF16(out, D, dBlock);
        BlockBytes.putF16(out, DMIN, mBlock);
    }

    /** The 12-byte packing of {@link KScales}; codes above 63 leak into neighbouring bits exactly as in ggml. */
    private static void putScaleMin(byte[] out, int j, int ls, int lm) {
        if (j < 4) {
            out[SCALES + j] = (byte) ls;
            out[SCALES + j + 4] = (byte) lm;
        } else {
            out[SCALES + j + 4] = (byte) ((ls & 0xF) | (lm & 0xF) << 4);
            out[SCALES + j - 4] |= (byte) ((ls >> 4) << 6);
            out[SCALES + j] |= (byte) ((lm >> 4) << 6);
        }
    }

    private static void requantize(Kind kind, float[] x, int in, byte[] L, byte[] out) {
        float dAll = BlockBytes.f16(out, D);
        float minAll = BlockBytes.f16(out, DMIN);
        for (int j = 0; j < QK / SUB; j++) {
            int sc;
            int m;
            if (j < 4) {
                sc = out[SCALES + j] & 63;
                m = out[SCALES + j + 4] & 63;
            } else {
                sc = (out[SCALES + j + 4] & 0xF) | ((out[SCALES + j - 4] & 0xFF) >>> 6) << 4;
                m = ((out[SCALES + j + 4] & 0xFF) >>> 4) | ((out[SCALES + j] & 0xFF) >>> 6) << 4;
            }
            float d = dAll * sc;
            if (d == 0) {
                continue;
            }
            float dm = minAll * m;
            for (int ii = 0; ii < SUB; ii++) {
                int l = ScaleSearch.nearestInt((x[in + SUB * j + ii] + dm) / d);
                L[SUB * j + ii] = (byte) Math.max(0, Math.min(kind.nmax, l));
            }
        }
    }

    /** Q4_K: per 64 values, 32 bytes; value j in the low nibble, value j+32 in the high nibble. */
    private static void packQ4(byte[] L, byte[] out, int qs) {
        int q = qs;
        for (int j = 0; j < QK; j += 64) {
            for (int l = 0; l < 32; l++) {
                out[q + l] = (byte) (L[j + l] | L[j + l + 32] << 4);
            }
            q += 32;
        }
    }

    /** Q5_K: low nibbles as Q4_K; the fifth bit of values (64g + j, 64g + 32 + j) in bits (2g, 2g+1) of qh[j]. */
    private static void packQ5(byte[] L, byte[] out, int qs) {
        int qh = 16;
        int ql = qs;
        int m1 = 1;
        int m2 = 2;
        for (int n = 0; n < QK; n += 64) {
            for (int j = 0; j < 32; j++) {
                int l1 = L[n + j];
                if (l1 > 15) {
                    l1 -= 16;
                    out[qh + j] |= (byte) m1;
                }
                int l2 = L[n + j + 32];
                if (l2 > 15) {
                    l2 -= 16;
                    out[qh + j] |= (byte) m2;
                }
                out[ql + j] = (byte) (l1 | l2 << 4);
            }
            m1 <<= 2;
            m2 <<= 2;
            ql += 32;
        }
    }
}
