package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Cache-blocked matrix–matrix product for prefill and batched decode: out[t][r] = Σ_c W[r][c]·x[t][c].
 *
 * <p>A worker takes a panel of up to {@link #PANEL_ROWS} weight rows, decodes it once into a float buffer
 * (so the decode cost is shared by every token of the batch) and multiplies it with the batch in register
 * tiles of 4 rows × 4 tokens: each step loads 4 weight vectors and 4 activation vectors and issues 16
 * fused multiply-adds into 16 accumulators. Tokens are the outer loop so that the 4 activation rows of a
 * tile stay in L1/L2 while all row tiles of the panel pass over them.
 *
 * <p>Notation: R = rows of W (out stride), C = cols (reduction length), T = batch (tokens), a = decoded
 * panel [n][C], x = activations [T][C], L = float lanes; c_it = accumulator of panel row i and token t.
 */
final class Gemm {
    /** Rows decoded per panel: 16·C floats stay in L2 (128 KB at C = 2048, 352 KB at C = 5632). */
    static final int PANEL_ROWS = 16;

    private Gemm() {
    }

    /**
     * out[oo + t·R + r] for r in [r0, r1) (at most PANEL_ROWS rows) and t < T; {@code panel} holds at least
     * (r1 − r0)·C floats.
     */
    static void panel(GgmlType type, MemorySegment w, long rowBytes, int r0, int r1, int cols,
            float[] x, int xo, int batch, float[] out, int oo, int rows, float[] panel) {
        int n = r1 - r0;
        for (int i = 0; i < n; i++) {
            RowKernels.decode(type, w, (r0 + i) * rowBytes, cols, panel, i * cols);
        }
        int t = 0;
        for (; t + 4 <= batch; t += 4) {
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                tile4x4(panel, i * cols, cols, x, xo + t * cols, out, oo + t * rows + r0 + i, rows);
            }
            for (; i < n; i++) {
                for (int u = t; u < t + 4; u++) {
                    out[oo + u * rows + r0 + i] = RowKernels.dot(panel, i * cols, x, xo + u * cols, cols);
                }
            }
        }
        for (; t < batch; t++) {
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                tile4x1(panel, i * cols, cols, x, xo + t * cols, out, oo + t * rows + r0 + i);
            }
            for (; i < n; i++) {
                out[oo + t * rows + r0 + i] = RowKernels.dot(panel, i * cols, x, xo + t * cols, cols);
            }
        }
    }

    /** 4 panel rows (a0 + i·C) × 4 tokens (x0 + t·C) → out[o0 + t·R + i]. */
    private static void tile4x4(float[] a, int a0, int cols, float[] x, int x0, float[] out, int o0, int rows) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            FloatVector w0 = FloatVector.fromArray(F, a, a0 + c);
            FloatVector w1 = FloatVector.fromArray(F, a, a0 + cols + c);
            FloatVector w2 = FloatVector.fromArray(F, a, a0 + 2 * cols + c);
            FloatVector w3 = FloatVector.fromArray(F, a, a0 + 3 * cols + c);
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            c00 = w0.fma(v, c00);
            c10 = w1.fma(v, c10);
            c20 = w2.fma(v, c20);
            c30 = w3.fma(v, c30);
            v = FloatVector.fromArray(F, x, x0 + cols + c);
            c01 = w0.fma(v, c01);
            c11 = w1.fma(v, c11);
            c21 = w2.fma(v, c21);
            c31 = w3.fma(v, c31);
            v = FloatVector.fromArray(F, x, x0 + 2 * cols + c);
            c02 = w0.fma(v, c02);
            c12 = w1.fma(v, c12);
            c22 = w2.fma(v, c22);
            c32 = w3.fma(v, c32);
            v = FloatVector.fromArray(F, x, x0 + 3 * cols + c);
            c03 = w0.fma(v, c03);
            c13 = w1.fma(v, c13);
            c23 = w2.fma(v, c23);
            c33 = w3.fma(v, c33);
        }
        store(out, o0, c00, c10, c20, c30);
        store(out, o0 + rows, c01, c11, c21, c31);
        store(out, o0 + 2 * rows, c02, c12, c22, c32);
        store(out, o0 + 3 * rows, c03, c13, c23, c33);
        for (; c < cols; c++) { // column tail, only for unblocked types whose C is not a multiple of L
            for (int t = 0; t < 4; t++) {
                for (int i = 0; i < 4; i++) {
                    out[o0 + t * rows + i] += a[a0 + i * cols + c] * x[x0 + t * cols + c];
                }
            }
        }
    }

    /** 4 panel rows × 1 token → out[o0 + i]. */
    private static void tile4x1(float[] a, int a0, int cols, float[] x, int x0, float[] out, int o0) {
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            c0 = FloatVector.fromArray(F, a, a0 + c).fma(v, c0);
            c1 = FloatVector.fromArray(F, a, a0 + cols + c).fma(v, c1);
            c2 = FloatVector.fromArray(F, a, a0 + 2 * cols + c).fma(v, c2);
            c3 = FloatVector.fromArray(F, a, a0 + 3 * cols + c).fma(v, c3);
        }
        store(out, o0, c0, c1, c2, c3);
        for (; c < cols; c++) {
            for (int i = 0; i < 4; i++) {
                out[o0 + i] += a[a0 + i * cols + c] * x[x0 + c];
            }
        }
    }

    private static void store(float[] out, int o, FloatVector r0, FloatVector r1, FloatVector r2, FloatVector r3) {
        out[o] = r0.reduceLanes(VectorOperators.ADD);
        out[o + 1] = r1.reduceLanes(VectorOperators.ADD);
        out[o + 2] = r2.reduceLanes(VectorOperators.ADD);
        out[o + 3] = r3.reduceLanes(VectorOperators.ADD);
    }
}
