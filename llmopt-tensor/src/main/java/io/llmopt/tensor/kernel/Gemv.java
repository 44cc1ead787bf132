package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Matrix–vector product for decode (batch 1), four weight rows at a time: {@link #STEP} columns of each row
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
    static final int SCRATCH = ROWS * STEP;

    private Gemv() {
    }

    /**
     * out[o + k] = W[r + k] · x[xo ..] for k < nr (1 ≤ nr ≤ 4); {@code s} holds {@link #SCRATCH} floats.
     */
    static void rows4(GgmlType type, MemorySegment w, long rowBytes, int r, int nr, int cols,
            float[] x, int xo, float[] s, float[] out, int o) {
        long o0 = r * rowBytes;
        long o1 = (r + Math.min(1, nr - 1)) * rowBytes;
        long o2 = (r + Math.min(2, nr - 1)) * rowBytes;
        long o3 = (r + Math.min(3, nr - 1)) * rowBytes;
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        int c0off = 0;
        int m = 0;
        int c = 0;
        for (; c0off < cols; c0off += STEP) {
            m = Math.min(STEP, cols - c0off);
            long b = type.byteSize(c0off);
            RowKernels.decode(type, w, o0 + b, m, s, 0);
            RowKernels.decode(type, w, o1 + b, m, s, STEP);
            RowKernels.decode(type, w, o2 + b, m, s, 2 * STEP);
            RowKernels.decode(type, w, o3 + b, m, s, 3 * STEP);
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
        out[o] = Gemm.finish(c0, s, 0, x, xl, c, m);
        if (nr > 1) {
            out[o + 1] = Gemm.finish(c1, s, STEP, x, xl, c, m);
        }
        if (nr > 2) {
            out[o + 2] = Gemm.finish(c2, s, 2 * STEP, x, xl, c, m);
        }
        if (nr > 3) {
            out[o + 3] = Gemm.finish(c3, s, 3 * STEP, x, xl, c, m);
        }
    }
}
