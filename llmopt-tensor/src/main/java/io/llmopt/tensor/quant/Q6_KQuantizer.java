package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * Q6_K quantization (layout in {@link Q6_KCodec}), following ggml b4747 {@code quantize_row_q6_K_ref} /
 * {@code _impl}: each 16-value sub-block by make_qx_quants (nmax 32, weights x², or the importance itself when
 * given — ggml uses it unscaled here), the 16 signed scales quantized to 8 bits against the one of largest
 * magnitude (d = that scale / −128), then every value requantized to −32..31 against its stored scale.
 */
final class Q6_KQuantizer {
    private static final int QK = 256;
    private static final int SUB = 16;
    private static final int QL = 0;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    private Q6_KQuantizer() {
    }

    static void quantize(float[] x, int off, int n, float[] importance, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q6_K, n);
        int bytes = GgmlType.Q6_K.blockBytes();
        byte[] L = new byte[QK];
        float[] scales = new float[QK / SUB];
        byte[] out = new byte[bytes];
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            java.util.Arrays.fill(out, (byte) 0);
            float maxScale = 0;
            float maxAbsScale = 0;
            for (int ib = 0; ib < QK / SUB; ib++) {
                float scale = ScaleSearch.makeQx(SUB, 32, x, in + SUB * ib, L, SUB * ib, 1, importance, b * QK + SUB * ib);
                scales[ib] = scale;
                float absScale = Math.abs(scale);
                if (absScale > maxAbsScale) {
                    maxAbsScale = absScale;
                    maxScale = scale;
                }
            }
            if (!(maxAbsScale < ScaleSearch.GROUP_MAX_EPS)) {
                float iscale = -128.f / maxScale;
                BlockBytes.putF16(out, D, 1 / iscale);
                for (int ib = 0; ib < QK / SUB; ib++) {
                    out[SCALES + ib] = (byte) Math.min(127, ScaleSearch.nearestInt(iscale * scales[ib]));
                }
                float dAll = BlockBytes.f16(out, D);
                for (int j = 0; j < QK / SUB; j++) {
                    float d = dAll * out[SCALES + j];
                    if (d == 0) {
                        continue;
                    }
                    for (int ii = 0; ii < SUB; ii++) {
                        int l = ScaleSearch.nearestInt(x[in + SUB * j + ii] / d);
                        L[SUB * j + ii] = (byte) (Math.max(-32, Math.min(31, l)) + 32);
                    }
                }
                pack(L, out);
            } // else: an all-zero block (d = 0, every field zero)
            MemorySegment.copy(out, 0, dst, Layouts.BYTE, byteOffset + (long) b * bytes, bytes);
        }
    }

    private static void pack(byte[] L, byte[] out) {
        int ql = QL;
        int qh = QH;
        for (int j = 0; j < QK; j += 128) {
            for (int l = 0; l < 32; l++) {
                int q1 = L[j + l] & 0xF;
                int q2 = L[j + l + 32] & 0xF;
                int q3 = L[j + l + 64] & 0xF;
                int q4 = L[j + l + 96] & 0xF;
                out[ql + l] = (byte) (q1 | q3 << 4);
                out[ql + l + 32] = (byte) (q2 | q4 << 4);
                out[qh + l] = (byte) ((L[j + l] >> 4) | (L[j + l + 32] >> 4) << 2 | (L[j + l + 64] >> 4) << 4
                        | (L[j + l + 96] >> 4) << 6);
            }
            ql += 64;
            qh += 32;
        }
    }
}
