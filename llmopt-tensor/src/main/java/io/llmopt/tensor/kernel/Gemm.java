package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * Cache-blocked matrix–matrix product for prefill and batched decode: out[t][r] = Σ_c W[r][c]·x[t][c].
 *
 * <p>A worker takes a panel of {@link #PANEL_ROWS} = 2·L weight rows, decodes it once (so the decode cost is
 * shared by every token of the batch) and stores it transposed, panel[c][i], so that one column c of the
 * panel is two vectors. The micro-kernel then computes an outer product per c: the two panel vectors times
 * the broadcast activations x[t][c] of {@link #TOKENS} tokens, into 2·TOKENS accumulators that stay in
 * registers over the whole reduction (no partial sums, no horizontal reductions: a column of accumulators
 * is 2·L consecutive outputs of one token). Per c it issues 2 vector loads, TOKENS broadcast loads and
 * 2·TOKENS fused multiply-adds, with the panel (2L·C floats) and the tokens' activations streaming from L2.
 *
 * <p>Notation: R = rows of W (out stride), C = cols (reduction length), T = batch, L = float lanes,
 * P = PANEL_ROWS, n = valid rows of this panel (≤ P), a = transposed panel [C][P], acc_{h,t} = accumulator of
 * panel half h (rows h·L .. h·L+L) and token t.
 */
final class Gemm {
    static final int PANEL_ROWS = 3 * L;
    /** Tokens per micro-kernel call: 2·8 = 16 accumulators of the 32 vector registers. */
    static final int TOKENS = 8;

    private Gemm() {
    }

    /** Offsets i·C of the P panel rows in the row-major decode buffer: the gather map of one column. */
    static int[] columnIndex(int cols) {
        int[] index = new int[PANEL_ROWS];
        for (int i = 0; i < PANEL_ROWS; i++) {
            index[i] = i * cols;
        }
        return index;
    }

    /**
     * out[oo + t·R + r] for r in [r0, r1) (at most P rows) and t < T. {@code rowMajor} and {@code panel}
     * hold ≥ P·C floats; {@code columnIndex} = {@link #columnIndex}(C).
     */
    static void panel(GgmlType type, MemorySegment w, long rowBytes, int r0, int r1, int cols,
            float[] x, int xo, int batch, float[] out, int oo, int rows, float[] rowMajor, float[] panel, int[] columnIndex) {
        int n = r1 - r0;
        for (int i = 0; i < n; i++) {
            RowKernels.decode(type, w, (r0 + i) * rowBytes, cols, rowMajor, i * cols);
        }
        for (int i = n; i < PANEL_ROWS; i++) { // rows past the matrix's end: zeros, their outputs are masked off
            java.util.Arrays.fill(rowMajor, i * cols, (i + 1) * cols, 0f);
        }
        for (int c = 0, p = 0; c < cols; c++, p += PANEL_ROWS) { // transpose: gather column c of both halves
            FloatVector.fromArray(F, rowMajor, c, columnIndex, 0).intoArray(panel, p);
            FloatVector.fromArray(F, rowMajor, c, columnIndex, L).intoArray(panel, p + L);
            FloatVector.fromArray(F, rowMajor, c, columnIndex, 2 * L).intoArray(panel, p + 2 * L);
        }
        int t = 0;
        for (; t + TOKENS <= batch; t += TOKENS) {
            tile8(panel, cols, x, xo + t * cols, out, oo + t * rows + r0, rows, n);
        }
        for (; t < batch; t++) {
            tile1(panel, cols, x, xo + t * cols, out, oo + t * rows + r0, n);
        }
    }

    /** TOKENS tokens starting at activation offset x0; out[o0 + t·R + i] for the panel rows i < n. */
    private static void tile8(float[] a, int cols, float[] x, int x0, float[] out, int o0, int rows, int n) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c06 = c00, c07 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00, c16 = c00, c17 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00, c24 = c00, c25 = c00, c26 = c00, c27 = c00;
        for (int c = 0, p = 0; c < cols; c++, p += PANEL_ROWS) {
            FloatVector w0 = FloatVector.fromArray(F, a, p);
            FloatVector w1 = FloatVector.fromArray(F, a, p + L);
            FloatVector w2 = FloatVector.fromArray(F, a, p + 2 * L);
            FloatVector v = FloatVector.broadcast(F, x[x0 + c]);
            c00 = w0.fma(v, c00);
            c10 = w1.fma(v, c10);
            c20 = w2.fma(v, c20);
            v = FloatVector.broadcast(F, x[x0 + cols + c]);
            c01 = w0.fma(v, c01);
            c11 = w1.fma(v, c11);
            c21 = w2.fma(v, c21);
            v = FloatVector.broadcast(F, x[x0 + 2 * cols + c]);
            c02 = w0.fma(v, c02);
            c12 = w1.fma(v, c12);
            c22 = w2.fma(v, c22);
            v = FloatVector.broadcast(F, x[x0 + 3 * cols + c]);
            c03 = w0.fma(v, c03);
            c13 = w1.fma(v, c13);
            c23 = w2.fma(v, c23);
            v = FloatVector.broadcast(F, x[x0 + 4 * cols + c]);
            c04 = w0.fma(v, c04);
            c14 = w1.fma(v, c14);
            c24 = w2.fma(v, c24);
            v = FloatVector.broadcast(F, x[x0 + 5 * cols + c]);
            c05 = w0.fma(v, c05);
            c15 = w1.fma(v, c15);
            c25 = w2.fma(v, c25);
            v = FloatVector.broadcast(F, x[x0 + 6 * cols + c]);
            c06 = w0.fma(v, c06);
            c16 = w1.fma(v, c16);
            c26 = w2.fma(v, c26);
            v = FloatVector.broadcast(F, x[x0 + 7 * cols + c]);
            c07 = w0.fma(v, c07);
            c17 = w1.fma(v, c17);
            c27 = w2.fma(v, c27);
        }
        VectorMask<Float> m0 = F.indexInRange(0, n);
        VectorMask<Float> m1 = F.indexInRange(L, n);
        VectorMask<Float> m2 = F.indexInRange(2 * L, n);
        c00.intoArray(out, o0, m0);
        c10.intoArray(out, o0 + L, m1);
        c20.intoArray(out, o0 + 2 * L, m2);
        c01.intoArray(out, o0 + rows, m0);
        c11.intoArray(out, o0 + rows + L, m1);
        c21.intoArray(out, o0 + rows + 2 * L, m2);
        c02.intoArray(out, o0 + 2 * rows, m0);
        c12.intoArray(out, o0 + 2 * rows + L, m1);
        c22.intoArray(out, o0 + 2 * rows + 2 * L, m2);
        c03.intoArray(out, o0 + 3 * rows, m0);
        c13.intoArray(out, o0 + 3 * rows + L, m1);
        c23.intoArray(out, o0 + 3 * rows + 2 * L, m2);
        c04.intoArray(out, o0 + 4 * rows, m0);
        c14.intoArray(out, o0 + 4 * rows + L, m1);
        c24.intoArray(out, o0 + 4 * rows + 2 * L, m2);
        c05.intoArray(out, o0 + 5 * rows, m0);
        c15.intoArray(out, o0 + 5 * rows + L, m1);
        c25.intoArray(out, o0 + 5 * rows + 2 * L, m2);
        c06.intoArray(out, o0 + 6 * rows, m0);
        c16.intoArray(out, o0 + 6 * rows + L, m1);
        c26.intoArray(out, o0 + 6 * rows + 2 * L, m2);
        c07.intoArray(out, o0 + 7 * rows, m0);
        c17.intoArray(out, o0 + 7 * rows + L, m1);
        c27.intoArray(out, o0 + 7 * rows + 2 * L, m2);
    }

    /** One token (the batch's remainder). */
    private static void tile1(float[] a, int cols, float[] x, int x0, float[] out, int o0, int n) {
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        for (int c = 0, p = 0; c < cols; c++, p += PANEL_ROWS) {
            FloatVector v = FloatVector.broadcast(F, x[x0 + c]);
            c0 = FloatVector.fromArray(F, a, p).fma(v, c0);
            c1 = FloatVector.fromArray(F, a, p + L).fma(v, c1);
            c2 = FloatVector.fromArray(F, a, p + 2 * L).fma(v, c2);
        }
        c0.intoArray(out, o0, F.indexInRange(0, n));
        c1.intoArray(out, o0 + L, F.indexInRange(L, n));
        c2.intoArray(out, o0 + 2 * L, F.indexInRange(2 * L, n));
    }
}
