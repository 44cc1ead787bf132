package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.RowInterleaved;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Matrix–vector product for decode (batch 1), four weight rows at a time. Types with a {@link FusedGemv}
 * kernel decode in registers; for the others {@link #STEP} columns of each row
 * are decoded into an L1-resident scratch buffer, then multiplied into x with one accumulator per row (the
 * four rows give the fused multiply-adds independent chains; x is loaded once for all four).
 *
 * <p>The arithmetic per row is exactly that of {@link Gemm}'s tiles (see there), so a token's output has
 * the same bits whether it is computed here or as part of a batch: the scratch holds the same exactly
 * decoded values, STEP is a multiple of L so chunks do not change the order of the vector steps, and the
 * end of the row is {@link Gemm#finish}.
 */
final class Gemv {
    /** Columns decoded per step: a k-quant super-block or eight 32-blocks, a multiple of every L. */
    static final int STEP = RowKernels.CHUNK;
    /** Rows per call. */
    static final int ROWS = 4;
    /** Scratch floats a call needs. */
    static final int SCRATCH = ROWS * STEP + ROWS * L;

    private Gemv() {
    }

    /**
     * out[o + k] = W[r + k] · x[xo ..] for k < nr (1 ≤ nr ≤ 4); {@code s} holds {@link #SCRATCH} floats.
     */
    static void rows4(GgmlType type, MemorySegment w, long rowBytes, int r, int nr, int cols,
            float[] x, int xo, float[] s, float[] out, int o) {
        if (FusedGemv.supports(type, cols)) {
            int p = ROWS * STEP;
            FusedGemv.rows4(type, w, r * rowBytes, (r + Math.min(1, nr - 1)) * rowBytes,
                    (r + Math.min(2, nr - 1)) * rowBytes, (r + Math.min(3, nr - 1)) * rowBytes, type.blockBytes(), cols, x, xo, s, p);
            for (int k = 0; k < nr; k++) {
                out[o + k] = Gemm.finish(s, p + k * L, s, 0, x, xo, cols, cols);
            }
            return;
        }
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        int c0off = 0;
        int m = 0;
        int c = 0;
        for (; c0off < cols; c0off += STEP) {
            m = Math.min(STEP, cols - c0off);
            long b = type.byteSize(c0off);
            for (int k = 0; k < ROWS; k++) { // one call site: the type switch is inlined once
                RowKernels.decode(type, w, (r + Math.min(k, nr - 1)) * rowBytes + b, m, s, k * STEP);
            }
            int xc = xo + c0off;
            c = 0;
            for (int bound = m - L; c <= bound; c += L) {
                FloatVector v = FloatVector.fromArray(F, x, xc + c);
                c0 = FloatVector.fromArray(F, s, c).fma(v, c0);
                c1 = FloatVector.fromArray(F, s, STEP + c).fma(v, c1);
                c2 = FloatVector.fromArray(F, s, 2 * STEP + c).fma(v, c2);
                c3 = FloatVector.fromArray(F, s, 3 * STEP + c).fma(v, c3);
            }
        }
        int xl = xo + c0off - STEP; // x offset of the last chunk, whose tail is columns c..m of the scratch
        int p = ROWS * STEP; // accumulators are spilled past the decoded rows (see Gemm.ACC)
        c0.intoArray(s, p);
        c1.intoArray(s, p + L);
        c2.intoArray(s, p + 2 * L);
        c3.intoArray(s, p + 3 * L);
        for (int k = 0; k < nr; k++) {
            out[o + k] = Gemm.finish(s, p + k * L, s, k * STEP, x, xl, c, m);
        }
    }

    /**
     * {@link #rows4} for a {@link RowInterleaved} matrix of a type with a {@link FusedGemv} kernel (r a multiple
     * of 4; the rows past the end are the form's zero padding, their outputs dropped): the same kernel with a
     * block stride of four blocks, so the same bits.
     */
    static void rows4(RowInterleaved f, int r, int nr, float[] x, int xo, float[] s, float[] out, int o) {
        int p = ROWS * STEP;
        FusedGemv.rows4(f.type(), f.data(), f.blockOffset(r, 0), f.blockOffset(r + 1, 0), f.blockOffset(r + 2, 0),
                f.blockOffset(r + 3, 0), f.blockStride(), f.cols(), x, xo, s, p);
        for (int k = 0; k < nr; k++) {
            out[o + k] = Gemm.finish(s, p + k * L, s, 0, x, xo, f.cols(), f.cols());
        }
    }

    /** dst[dp ..] = W[row, c0 .. c0 + m) of a {@link RowInterleaved} matrix (whole blocks), for {@link Gemm}'s panels. */
    static void decode(RowInterleaved f, int row, int c0, int m, float[] dst, int dp) {
        int bs = f.type().blockSize();
        for (int c = 0; c < m; c += bs) {
            RowKernels.decode(f.type(), f.data(), f.blockOffset(row, (c0 + c) / bs), bs, dst, dp + c);
        }
    }
}
