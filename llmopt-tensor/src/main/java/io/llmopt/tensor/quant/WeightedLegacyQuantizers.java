package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;

/**
 * ggml's importance-weighted quantizers for the 32-value block types ({@code quantize_row_q4_0_impl},
 * {@code _q4_1_impl}, {@code _q5_0_impl}, {@code _q5_1_impl}, b4747), used when an importance matrix is
 * given. Each value's weight is importance[c]·√(σ² + x²), σ² being the mean square of the whole row, and the
 * block's scale (and minimum) come from a weighted least-squares search instead of max/min.
 */
final class WeightedLegacyQuantizers {
    private static final int QK = 32;

    private WeightedLegacyQuantizers() {
    }

    /** σ² = Σx²/n over the whole row, in ggml's summation order. */
    private static float rowMeanSquare(float[] x, int off, int n) {
        float sumX2 = 0;
        for (int j = 0; j < n; j++) {
            sumX2 += x[off + j] * x[off + j];
        }
        return sumX2 / n;
    }

    private static void blockWeights(float[] x, int in, float[] importance, int col, float sigma2, float[] weight) {
        for (int j = 0; j < QK; j++) {
            weight[j] = importance[col + j] * (float) Math.sqrt(sigma2 + x[in + j] * x[in + j]);
        }
    }

    /** Q4_0: d = make_qx_quants(32 values, nmax 8, weighted), levels 0..15. */
    static void q4_0(float[] x, int off, int n, float[] importance, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q4_0, n);
        int bytes = GgmlType.Q4_0.blockBytes();
        float sigma2 = rowMeanSquare(x, off, n);
        float[] weight = new float[QK];
        byte[] L = new byte[QK];
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            long block = byteOffset + (long) b * bytes;
            blockWeights(x, in, importance, b * QK, sigma2, weight);
            float d = ScaleSearch.makeQx(QK, 8, x, in, L, 0, 1, weight, 0);
            Blocks.putF16(dst, block, d);
            for (int j = 0; j < QK / 2; j++) {
                dst.set(Layouts.BYTE, block + 2 + j, (byte) (L[j] | L[j + QK / 2] << 4));
            }
        }
    }

    /** Q5_0: d = make_qx_quants(32 values, nmax 16, weighted), levels 0..31 split into nibbles and qh bits. */
    static void q5_0(float[] x, int off, int n, float[] importance, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q5_0, n);
        int bytes = GgmlType.Q5_0.blockBytes();
        float sigma2 = rowMeanSquare(x, off, n);
        float[] weight = new float[QK];
        byte[] L = new byte[QK];
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            long block = byteOffset + (long) b * bytes;
            blockWeights(x, in, importance, b * QK, sigma2, weight);
            float d = ScaleSearch.makeQx(QK, 16, x, in, L, 0, 1, weight, 0);
            Blocks.putF16(dst, block, d);
            putFiveBitQuants(L, dst, block + 2, block + 6);
        }
    }

    /** Q4_1: (d, min) = make_qkx3_quants(32 values, nmax 15, weighted), m = −min. */
    static void q4_1(float[] x, int off, int n, float[] importance, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q4_1, n);
        int bytes = GgmlType.Q4_1.blockBytes();
        float sigma2 = rowMeanSquare(x, off, n);
        float[] weight = new float[QK];
        byte[] L = new byte[QK];
        byte[] laux = new byte[QK];
        float[] min = new float[1];
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            long block = byteOffset + (long) b * bytes;
            blockWeights(x, in, importance, b * QK, sigma2, weight);
            float d = AffineSearch.makeQkx3(QK, 15, x, in, weight, L, 0, min, 0, laux, -0.9f, 0.05f, 36, false);
            Blocks.putF16(dst, block, d);
            Blocks.putF16(dst, block + 2, -min[0]);
            for (int j = 0; j < QK / 2; j++) {
                dst.set(Layouts.BYTE, block + 4 + j, (byte) (L[j] | L[j + QK / 2] << 4));
            }
        }
    }

    /** Q5_1: (d, min) = make_qkx3_quants(32 values, nmax 31, weighted), m = −min. */
    static void q5_1(float[] x, int off, int n, float[] importance, MemorySegment dst, long byteOffset) {
        int blocks = Blocks.count(GgmlType.Q5_1, n);
        int bytes = GgmlType.Q5_1.blockBytes();
        float sigma2 = rowMeanSquare(x, off, n);
        float[] weight = new float[QK];
        byte[] L = new byte[QK];
        byte[] laux = new byte[QK];
        float[] min = new float[1];
        for (int b = 0; b < blocks; b++) {
            int in = off + b * QK;
            long block = byteOffset + (long) b * bytes;
            blockWeights(x, in, importance, b * QK, sigma2, weight);
            float d = AffineSearch.makeQkx3(QK, 31, x, in, weight, L, 0, min, 0, laux, -0.9f, 0.05f, 36, false);
            Blocks.putF16(dst, block, d);
            Blocks.putF16(dst, block + 2, -min[0]);
            putFiveBitQuants(L, dst, block + 4, block + 8);
        }
    }

    /** Levels 0..31: low nibbles packed two per byte (j, j+16), fifth bits in a little-endian 32-bit word. */
    private static void putFiveBitQuants(byte[] L, MemorySegment dst, long qhOffset, long qsOffset) {
        int qh = 0;
        for (int j = 0; j < QK / 2; j++) {
            int lo = L[j] & 0xFF;
            int hi = L[j + QK / 2] & 0xFF;
            dst.set(Layouts.BYTE, qsOffset + j, (byte) ((lo & 0x0F) | (hi & 0x0F) << 4));
            qh |= ((lo & 0x10) >>> 4) << j;
            qh |= ((hi & 0x10) >>> 4) << (j + QK / 2);
        }
        dst.set(Layouts.INT, qhOffset, qh);
    }
}
