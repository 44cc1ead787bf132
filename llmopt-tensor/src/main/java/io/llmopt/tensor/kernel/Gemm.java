package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import io.llmopt.tensor.BitmapRows;
import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Cache-blocked matrix–matrix product for prefill and batched decode: out[t][r] = Σ_c W[r][c]·x[t][c].
 *
 * <p>A worker takes a panel of up to {@link #PANEL_ROWS} weight rows, decodes it once into a float buffer
 * (so the decode cost is shared by every token of the batch) and multiplies it with the batch in register
 * tiles of 4 rows × 4 tokens: each step loads 4 weight vectors and 4 activation vectors and issues 16
 * fused multiply-adds into 16 accumulators. Tokens are the outer loop so that the 4 activation rows of a
 * tile stay in cache while all row tiles of the panel pass over them.
 *
 * <p><b>Batch invariance.</b> Every output is computed by the same arithmetic whatever the batch size and
 * the token's place in it, and {@link Gemv} (batch 1) does the same: one accumulator vector per (row, token),
 * fma(w[c..c+L), x[c..c+L), acc) for c = 0, L, 2L, … in order over the exactly decoded weights, then the
 * fixed-order {@link Simd#sum}, then the columns past the last full vector one by one. Partial tiles
 * (fewer than 4 rows or tokens) repeat a valid row and drop its outputs rather than take another path.
 *
 * <p>Notation: R = rows of W (out stride), C = cols (reduction length), T = batch (tokens), a = decoded
 * panel [n][C], x = activations [T][C], L = float lanes; c_it = accumulator of panel row i and token t.
 */
final class Gemm {
    /** Rows decoded per panel: 16·C floats stay in L2 (128 KB at C = 2048, 352 KB at C = 5632). */
    static final int PANEL_ROWS = 16;
    /**
     * Floats of the buffer the tiles spill their accumulators to before the final sums: vectors never cross
     * a method call (a vector argument of a call that C2 does not inline is boxed on the heap, and nested
     * helpers stop inlining once a big kernel has used up the inlining budget).
     */
    static final int ACC = 16 * L;

    private Gemm() {
    }

    /**
     * out[oo + t·R + r] for r in [r0, r1) (at most PANEL_ROWS rows) and t < T; {@code panel} holds at least
     * (r1 − r0)·C floats, {@code acc} at least {@link #ACC} floats.
     */
    static void panel(GgmlType type, MemorySegment w, long rowBytes, int r0, int r1, int cols,
            float[] x, int xo, int batch, float[] out, int oo, int rows, float[] panel, float[] acc) {
        int n = r1 - r0;
        for (int i = 0; i < n; i++) {
            RowKernels.decode(type, w, (r0 + i) * rowBytes, cols, panel, i * cols);
        }
        tiles(n, r0, cols, x, xo, batch, out, oo, rows, panel, acc);
    }

    /** As {@link #panel}, the rows decoded from their bitmap-sparse form (the same values, so the same bits). */
    static void panel(BitmapRows b, int r0, int r1, int cols, float[] x, int xo, int batch, float[] out, int oo,
            int rows, float[] panel, float[] acc) {
        int n = r1 - r0;
        for (int i = 0; i < n; i++) {
            BitmapGemv.decode(b, r0 + i, panel, i * cols);
        }
        tiles(n, r0, cols, x, xo, batch, out, oo, rows, panel, acc);
    }

    /** The n decoded panel rows (weight rows r0 ..) times the batch, in 4 × 4 register tiles. */
    private static void tiles(int n, int r0, int cols, float[] x, int xo, int batch, float[] out, int oo, int rows,
            float[] panel, float[] acc) {
        for (int t = 0; t < batch; t += 4) {
            int nt = Math.min(4, batch - t);
            for (int i = 0; i < n; i += 4) {
                int ni = Math.min(4, n - i);
                int a0 = i * cols;
                int a1 = Math.min(i + 1, n - 1) * cols;
                int a2 = Math.min(i + 2, n - 1) * cols;
                int a3 = Math.min(i + 3, n - 1) * cols;
                int o = oo + t * rows + r0 + i;
                if (nt == 4) {
                    tile4x4(panel, a0, a1, a2, a3, cols, x, xo + t * cols, out, o, rows, ni, acc);
                } else {
                    for (int u = 0; u < nt; u++) {
                        tile4x1(panel, a0, a1, a2, a3, cols, x, xo + (t + u) * cols, out, o + u * rows, ni, acc);
                    }
                }
            }
        }
    }

    /** Panel rows at a0..a3 × 4 tokens (x0 + t·C) → out[o0 + t·R + i] for the first ni rows. */
    private static void tile4x4(float[] a, int a0, int a1, int a2, int a3, int cols, float[] x, int x0,
            float[] out, int o0, int rows, int ni, float[] acc) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            FloatVector w0 = FloatVector.fromArray(F, a, a0 + c);
            FloatVector w1 = FloatVector.fromArray(F, a, a1 + c);
            FloatVector w2 = FloatVector.fromArray(F, a, a2 + c);
            FloatVector w3 = FloatVector.fromArray(F, a, a3 + c);
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            c00 = w0.fma(v, c00);
            c10 = w1.fma(v, c10);
            c20 = w2.fma(v, c20);
            c30 = w3.fma(v, c30);
            v = FloatVector.fromArray(F, x, x1 + c);
            c01 = w0.fma(v, c01);
            c11 = w1.fma(v, c11);
            c21 = w2.fma(v, c21);
            c31 = w3.fma(v, c31);
            v = FloatVector.fromArray(F, x, x2 + c);
            c02 = w0.fma(v, c02);
            c12 = w1.fma(v, c12);
            c22 = w2.fma(v, c22);
            c32 = w3.fma(v, c32);
            v = FloatVector.fromArray(F, x, x3 + c);
            c03 = w0.fma(v, c03);
            c13 = w1.fma(v, c13);
            c23 = w2.fma(v, c23);
            c33 = w3.fma(v, c33);
        }
        c00.intoArray(acc, 0);
        c10.intoArray(acc, L);
        c20.intoArray(acc, 2 * L);
        c30.intoArray(acc, 3 * L);
        c01.intoArray(acc, 4 * L);
        c11.intoArray(acc, 5 * L);
        c21.intoArray(acc, 6 * L);
        c31.intoArray(acc, 7 * L);
        c02.intoArray(acc, 8 * L);
        c12.intoArray(acc, 9 * L);
        c22.intoArray(acc, 10 * L);
        c32.intoArray(acc, 11 * L);
        c03.intoArray(acc, 12 * L);
        c13.intoArray(acc, 13 * L);
        c23.intoArray(acc, 14 * L);
        c33.intoArray(acc, 15 * L);
        for (int t = 0; t < 4; t++) {
            store(out, o0 + t * rows, ni, a, a0, a1, a2, a3, x, x0 + t * cols, c, cols, acc, 4 * t * L);
        }
    }

    /** Panel rows at a0..a3 × 1 token → out[o0 + i] for the first ni rows. */
    private static void tile4x1(float[] a, int a0, int a1, int a2, int a3, int cols, float[] x, int x0,
            float[] out, int o0, int ni, float[] acc) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            c0 = FloatVector.fromArray(F, a, a0 + c).fma(v, c0);
            c1 = FloatVector.fromArray(F, a, a1 + c).fma(v, c1);
            c2 = FloatVector.fromArray(F, a, a2 + c).fma(v, c2);
            c3 = FloatVector.fromArray(F, a, a3 + c).fma(v, c3);
        }
        c0.intoArray(acc, 0);
        c1.intoArray(acc, L);
        c2.intoArray(acc, 2 * L);
        c3.intoArray(acc, 3 * L);
        store(out, o0, ni, a, a0, a1, a2, a3, x, x0, c, cols, acc, 0);
    }

    /** out[o + i] = finish(row i) for the first ni of 4 rows, whose accumulators are at acc[p + i·L]. */
    private static void store(float[] out, int o, int ni, float[] a, int a0, int a1, int a2, int a3,
            float[] x, int x0, int c, int cols, float[] acc, int p) {
        out[o] = finish(acc, p, a, a0, x, x0, c, cols);
        if (ni > 1) {
            out[o + 1] = finish(acc, p + L, a, a1, x, x0, c, cols);
        }
        if (ni > 2) {
            out[o + 2] = finish(acc, p + 2 * L, a, a2, x, x0, c, cols);
        }
        if (ni > 3) {
            out[o + 3] = finish(acc, p + 3 * L, a, a3, x, x0, c, cols);
        }
    }

    /**
     * The canonical end of every output: the fixed-order lane sum of the accumulator at acc[p ..], then
     * the tail columns c..C of weights a[ai ..] and activations x[xi ..] in order.
     */
    static float finish(float[] acc, int p, float[] a, int ai, float[] x, int xi, int c, int cols) {
        float s = Simd.sum(acc, p);
        for (; c < cols; c++) {
            s += a[ai + c] * x[xi + c];
        }
        return s;
    }
}
