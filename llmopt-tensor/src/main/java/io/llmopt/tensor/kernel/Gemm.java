package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import io.llmopt.tensor.BitmapRows;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LanePackedQ4_0;
import io.llmopt.tensor.PackedRows;
import io.llmopt.tensor.RowInterleaved;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Cache-blocked matrix–matrix product for prefill and batched decode: out[t][r] = Σ_c W[r][c]·x[t][c].
 *
 * <p>A worker takes a panel of up to {@link #PANEL_ROWS} weight rows. For a block of up to {@link #TB}
 * tokens it walks the columns in chunks of {@link #KC}: the chunk of every panel row is decoded once into a
 * float buffer that stays in L1 (so the decode cost is shared by every token of the block) and multiplied
 * with the tokens in register tiles of 4 rows × 4 tokens: each step loads 4 weight vectors and 4
 * activation vectors and issues 16 fused multiply-adds into 16 accumulators, which are kept in a per-worker
 * buffer between chunks. Without the column chunks a tile streamed 4 whole rows and 4 whole activation rows
 * (64 KB at C = 2048) from L2 for every tile, which bounded the kernel at about a third of the FMA peak.
 *
 * <p><b>Batch invariance.</b> Every output is computed by the same arithmetic whatever the batch size and
 * the token's place in it, and {@link Gemv} (batch 1) does the same: one accumulator vector per (row, token),
 * fma(w[c..c+L), x[c..c+L), acc) for c = 0, L, 2L, … in order over the exactly decoded weights, then the
 * fixed-order {@link Simd#sum}, then the columns past the last full vector one by one. Chunk boundaries are
 * multiples of L and a stored and reloaded accumulator keeps its bits, so chunking changes nothing. Partial
 * tiles (fewer than 4 rows or tokens) repeat a valid row and drop its outputs rather than take another path.
 *
 * <p>Notation: R = rows of W (out stride), C = cols (reduction length), T = batch (tokens), a = decoded
 * panel chunk [n][KC], x = activations [T][C], L = float lanes; c_it = accumulator of panel row i, token t.
 */
final class Gemm {
    /** Rows per panel: a chunk of the panel ({@link #PANEL_ROWS}·{@link #KC} floats, 16 KB) stays in L1. */
    static final int PANEL_ROWS = Integer.getInteger("llmopt.gemm.rows", 16);
    /** Columns decoded and multiplied per step: a multiple of every block size and of every L. */
    static final int KC = Integer.getInteger("llmopt.gemm.kc", RowKernels.CHUNK);
    /** Tokens whose accumulators are kept between column chunks (PANEL_ROWS·TB vectors, 64 KB at L = 16). */
    static final int TB = Integer.getInteger("llmopt.gemm.tb", 64);
    /** Floats of a worker's decoded-panel buffer. */
    static final int PANEL = PANEL_ROWS * KC;
    /**
     * Floats of a worker's accumulator buffer: one vector per (panel row, token of a token block). Vectors
     * never cross a method call (a vector argument of a call that C2 does not inline is boxed on the heap,
     * and nested helpers stop inlining once a big kernel has used up the inlining budget), so tiles load and
     * store their accumulators here at every column chunk; storing and reloading a vector keeps its bits.
     */
    static final int ACC = PANEL_ROWS * TB * L;

    private Gemm() {
    }

    /**
     * out[oo + t·R + r] for r in [r0, r1) (at most PANEL_ROWS rows) and t < T; {@code panel} holds at least
     * {@link #PANEL} floats, {@code acc} at least {@link #ACC} floats.
     *
     * <p>Loop order: token blocks of {@link #TB}, then column chunks of {@link #KC} (the chunk of every panel
     * row is decoded once into {@code panel} and stays in L1 while all tokens of the block pass over it),
     * then 4-token × 4-row register tiles, whose accumulators live in {@code acc} between chunks.
     */
    static void panel(GgmlType type, MemorySegment w, long rowBytes, int r0, int r1, int cols,
            float[] x, int xo, int batch, float[] out, int oo, int rows, float[] panel, float[] acc) {
        panel(type, w, rowBytes, null, null, r0, r1, cols, x, xo, batch, out, oo, rows, panel, acc);
    }

    /**
     * As above; with {@code sparse} (or {@code packed}) non-null the chunks are decoded from that bitmap-sparse
     * (or packed) form of W — the same values, so the same bits — instead of from {@code w}. A packed
     * form needs {@link #KC} to be a multiple of {@link PackedQ4_0Gemv#CHUNK} (see {@link #readsPacked}).
     */
    static void panel(GgmlType type, MemorySegment w, long rowBytes, BitmapRows sparse, PackedRows packed, int r0, int r1, int cols,
            float[] x, int xo, int batch, float[] out, int oo, int rows, float[] panel, float[] acc) {
        int n = r1 - r0;
        int vEnd = cols - cols % L; // columns the accumulators cover; the rest is finish()'s tail
        int tokenStride = PANEL_ROWS * L;
        for (int t0 = 0; t0 < batch; t0 += TB) {
            int nb = Math.min(TB, batch - t0);
            java.util.Arrays.fill(acc, 0, nb * tokenStride, 0f);
            int c0 = 0;
            int m = 0;
            for (; c0 < cols; c0 += KC) {
                m = Math.min(KC, cols - c0);
                long b = type.byteSize(c0);
                for (int i = 0; i < n; i++) {
                    if (sparse != null) {
                        BitmapGemv.decode(sparse, r0 + i, c0, m, panel, i * KC);
                    } else if (packed instanceof LanePackedQ4_0 lp) {
                        PackedQ4_0Gemv.decode(lp, r0 + i, c0, m, panel, i * KC);
                    } else if (packed instanceof RowInterleaved ri) {
                        Gemv.decode(ri, r0 + i, c0, m, panel, i * KC);
                    } else {
                        RowKernels.decode(type, w, (r0 + i) * rowBytes + b, m, panel, i * KC);
                    }
                }
                int mv = Math.min(m, vEnd - c0);
                for (int t = 0; t < nb; t += 4) {
                    int nt = Math.min(4, nb - t);
                    int xt = xo + (t0 + t) * cols + c0;
                    for (int i = 0; i < n; i += 4) {
                        int a0 = i * KC;
                        int a1 = Math.min(i + 1, n - 1) * KC;
                        int a2 = Math.min(i + 2, n - 1) * KC;
                        int a3 = Math.min(i + 3, n - 1) * KC;
                        int p = t * tokenStride + i * L;
                        if (nt == 4) {
                            tile4x4(panel, a0, a1, a2, a3, mv, x, xt, cols, acc, p, tokenStride);
                        } else {
                            for (int u = 0; u < nt; u++) {
                                tile4x1(panel, a0, a1, a2, a3, mv, x, xt + u * cols, acc, p + u * tokenStride);
                            }
                        }
                    }
                }
            }
            int last = c0 - KC; // the panel still holds the last chunk, which contains every tail column
            for (int t = 0; t < nb; t++) {
                int o = oo + (t0 + t) * rows + r0;
                int xl = xo + (t0 + t) * cols + last;
                for (int i = 0; i < n; i++) {
                    out[o + i] = finish(acc, t * tokenStride + i * L, panel, i * KC, x, xl, vEnd - last, m);
                }
            }
        }
    }

    /** Whether panels can be decoded from {@code p} (a lane-packed form must be laid out for this species and fit whole in chunks). */
    static boolean readsPacked(PackedRows p) {
        return p instanceof LanePackedQ4_0 lp ? PackedQ4_0Gemv.usable(lp) && KC % PackedQ4_0Gemv.CHUNK == 0 : p instanceof RowInterleaved;
    }

    /**
     * Continues the accumulators of panel rows a0..a3 × 4 tokens (x0 + u·C) over chunk columns [0, mv): the
     * accumulator of row k, token u is acc[p + u·ts + k·L].
     */
    private static void tile4x4(float[] a, int a0, int a1, int a2, int a3, int mv, float[] x, int x0, int cols,
            float[] acc, int p, int ts) {
        int p1 = p + ts, p2 = p1 + ts, p3 = p2 + ts;
        FloatVector c00 = FloatVector.fromArray(F, acc, p), c10 = FloatVector.fromArray(F, acc, p + L);
        FloatVector c20 = FloatVector.fromArray(F, acc, p + 2 * L), c30 = FloatVector.fromArray(F, acc, p + 3 * L);
        FloatVector c01 = FloatVector.fromArray(F, acc, p1), c11 = FloatVector.fromArray(F, acc, p1 + L);
        FloatVector c21 = FloatVector.fromArray(F, acc, p1 + 2 * L), c31 = FloatVector.fromArray(F, acc, p1 + 3 * L);
        FloatVector c02 = FloatVector.fromArray(F, acc, p2), c12 = FloatVector.fromArray(F, acc, p2 + L);
        FloatVector c22 = FloatVector.fromArray(F, acc, p2 + 2 * L), c32 = FloatVector.fromArray(F, acc, p2 + 3 * L);
        FloatVector c03 = FloatVector.fromArray(F, acc, p3), c13 = FloatVector.fromArray(F, acc, p3 + L);
        FloatVector c23 = FloatVector.fromArray(F, acc, p3 + 2 * L), c33 = FloatVector.fromArray(F, acc, p3 + 3 * L);
        int x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        for (int c = 0; c < mv; c += L) {
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
        c00.intoArray(acc, p);
        c10.intoArray(acc, p + L);
        c20.intoArray(acc, p + 2 * L);
        c30.intoArray(acc, p + 3 * L);
        c01.intoArray(acc, p1);
        c11.intoArray(acc, p1 + L);
        c21.intoArray(acc, p1 + 2 * L);
        c31.intoArray(acc, p1 + 3 * L);
        c02.intoArray(acc, p2);
        c12.intoArray(acc, p2 + L);
        c22.intoArray(acc, p2 + 2 * L);
        c32.intoArray(acc, p2 + 3 * L);
        c03.intoArray(acc, p3);
        c13.intoArray(acc, p3 + L);
        c23.intoArray(acc, p3 + 2 * L);
        c33.intoArray(acc, p3 + 3 * L);
    }

    /** {@link #tile4x4} for one token: the accumulator of row k is acc[p + k·L]. */
    private static void tile4x1(float[] a, int a0, int a1, int a2, int a3, int mv, float[] x, int x0,
            float[] acc, int p) {
        FloatVector c0 = FloatVector.fromArray(F, acc, p);
        FloatVector c1 = FloatVector.fromArray(F, acc, p + L);
        FloatVector c2 = FloatVector.fromArray(F, acc, p + 2 * L);
        FloatVector c3 = FloatVector.fromArray(F, acc, p + 3 * L);
        for (int c = 0; c < mv; c += L) {
            FloatVector v = FloatVector.fromArray(F, x, x0 + c);
            c0 = FloatVector.fromArray(F, a, a0 + c).fma(v, c0);
            c1 = FloatVector.fromArray(F, a, a1 + c).fma(v, c1);
            c2 = FloatVector.fromArray(F, a, a2 + c).fma(v, c2);
            c3 = FloatVector.fromArray(F, a, a3 + c).fma(v, c3);
        }
        c0.intoArray(acc, p);
        c1.intoArray(acc, p + L);
        c2.intoArray(acc, p + 2 * L);
        c3.intoArray(acc, p + 3 * L);
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
