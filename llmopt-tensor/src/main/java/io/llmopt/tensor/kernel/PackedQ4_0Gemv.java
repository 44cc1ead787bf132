package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.I;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.LE;

import io.llmopt.tensor.LanePackedQ4_0;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.PackedRows;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GEMV and GEMM-panel decode of {@link LanePackedQ4_0} weights. Vector j of a chunk is
 * float((word >>> 4j) & 15) per lane, turned into the weight by fma(q, d, −8·d): the exact product (q − 8)·d
 * rounded once, the very float the GGUF decoder's float(q − 8)·d gives (up to the sign of a zero weight,
 * which cannot change a sum that starts at +0). The accumulators take the vectors in ascending column order,
 * as {@link FusedGemv}, so the outputs have the bits of the GGUF-layout kernels (batch invariance holds).
 *
 * <p>Per 16 weights: one shift, one mask, one int-to-float, two fmas (the GGUF-layout kernel also needs byte
 * masks, a subtract, a widening and a scalar half-to-float per block). Vector operations are written out, never
 * behind helpers (see {@link FusedGemv}).
 */
final class PackedQ4_0Gemv {
    /** Column chunk: one int vector of nibbles. */
    static final int CHUNK = 8 * L;
    /** Blocks of 32 per chunk, and vectors per block. */
    private static final int CHUNK_BLOCKS = CHUNK / 32;
    private static final int PER_BLOCK = 32 / L;

    private PackedQ4_0Gemv() {
    }

    /** Whether the kernels can read {@code p} (laid out for this species' lanes). */
    static boolean usable(PackedRows p) {
        return p instanceof LanePackedQ4_0 lp && lp.lanes() == L;
    }

    /** out[o + k] = W[r + k] · x[xo ..] for k < nr (1 ≤ nr ≤ 4, r a multiple of 4); s holds 4·L floats. */
    static void rows4(LanePackedQ4_0 p, int r, int nr, float[] x, int xo, float[] s, float[] out, int o) {
        int cols = p.cols();
        accumulate(p.nibbles(), p.scales(), r >>> 2, cols, x, xo, s);
        for (int k = 0; k < nr; k++) {
            out[o + k] = Simd.sum(s, k * L);
        }
    }

    /** The four accumulators of row group g over all columns, stored at acc[k·L], k < 4. */
    private static void accumulate(MemorySegment nib, MemorySegment sc, int g, int cols, float[] x, int xo, float[] acc) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long no = (long) g * 2 * cols;
        long so = (long) g * 4 * (cols / 32) * Float.BYTES;
        for (int c = 0; c < cols; c += CHUNK, no += 16 * L, so += 4 * CHUNK_BLOCKS * Float.BYTES) {
            IntVector v0 = IntVector.fromMemorySegment(I, nib, no, LE);
            IntVector v1 = IntVector.fromMemorySegment(I, nib, no + 4 * L, LE);
            IntVector v2 = IntVector.fromMemorySegment(I, nib, no + 8 * L, LE);
            IntVector v3 = IntVector.fromMemorySegment(I, nib, no + 12 * L, LE);
            for (int b = 0; b < CHUNK_BLOCKS; b++) {
                FloatVector d0 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * b));
                FloatVector d1 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (CHUNK_BLOCKS + b)));
                FloatVector d2 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (2 * CHUNK_BLOCKS + b)));
                FloatVector d3 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (3 * CHUNK_BLOCKS + b)));
                FloatVector m0 = d0.mul(-8f), m1 = d1.mul(-8f), m2 = d2.mul(-8f), m3 = d3.mul(-8f);
                for (int h = 0; h < PER_BLOCK; h++) {
                    int j = b * PER_BLOCK + h;
                    int sh = 4 * j;
                    FloatVector v = FloatVector.fromArray(F, x, xo + c + j * L);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, sh).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(v, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, sh).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(v, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, sh).and(15).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(v, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, sh).and(15).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(v, a3);
                }
            }
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, L);
        a2.intoArray(acc, 2 * L);
        a3.intoArray(acc, 3 * L);
    }

    /**
     * dst[dp ..] = W[row, c0 .. c0 + m) (c0 and m multiples of {@link #CHUNK}), for {@link Gemm}'s panels. The
     * eight vectors of a chunk are written out with constant shifts (a loop left the shift count in a register,
     * and a register-count shift of a 512-bit vector costs an extra shuffle).
     */
    static void decode(LanePackedQ4_0 p, int row, int c0, int m, float[] dst, int dp) {
        MemorySegment nib = p.nibbles(), sc = p.scales();
        int cols = p.cols();
        int g = row >>> 2, k = row & 3;
        for (int c = 0; c < m; c += CHUNK) {
            int ch = (c0 + c) / CHUNK;
            IntVector w = IntVector.fromMemorySegment(I, nib, LanePackedQ4_0.nibbleOffset(g, ch, k, cols, L), LE);
            long so = LanePackedQ4_0.scaleIndex(g, ch, k, 0, cols, L) * Float.BYTES;
            int o = dp + c;
            FloatVector d0 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (0 * L / 32)));
            FloatVector d1 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (2 * L / 32)));
            FloatVector d2 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (4 * L / 32)));
            FloatVector d3 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (6 * L / 32)));
            FloatVector e0 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (1 * L / 32)));
            FloatVector e1 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (3 * L / 32)));
            FloatVector e2 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (5 * L / 32)));
            FloatVector e3 = FloatVector.broadcast(F, sc.get(Layouts.FLOAT, so + 4L * (7 * L / 32)));
            ((FloatVector) w.and(15).convert(VectorOperators.I2F, 0)).fma(d0, d0.mul(-8f)).intoArray(dst, o);
            ((FloatVector) w.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).fma(e0, e0.mul(-8f)).intoArray(dst, o + L);
            ((FloatVector) w.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).fma(d1, d1.mul(-8f)).intoArray(dst, o + 2 * L);
            ((FloatVector) w.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).fma(e1, e1.mul(-8f)).intoArray(dst, o + 3 * L);
            ((FloatVector) w.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).fma(d2, d2.mul(-8f)).intoArray(dst, o + 4 * L);
            ((FloatVector) w.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).fma(e2, e2.mul(-8f)).intoArray(dst, o + 5 * L);
            ((FloatVector) w.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).fma(d3, d3.mul(-8f)).intoArray(dst, o + 6 * L);
            ((FloatVector) w.lanewise(VectorOperators.LSHR, 28).convert(VectorOperators.I2F, 0)).fma(e3, e3.mul(-8f)).intoArray(dst, o + 7 * L);
        }
    }
}
