package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import io.llmopt.tensor.BitmapRows;
import io.llmopt.tensor.GgmlType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Kernels over the bitmap-sparse form ({@link BitmapRows}): GEMV four rows at a time and the row decode of
 * {@link Gemm}'s panels. For each column chunk [c, c+L) of a row, the L mask bits select how many packed
 * values to take from the row's running position p; {@code expand} puts them in their columns (zeros
 * elsewhere, one vexpandps on AVX-512), so the weight vector equals the dense one bit for bit, and the
 * same fma(w, x, acc) chain and {@link Gemm#finish} follow. Hence every output has the bits of the dense
 * kernel on the same weights (and batch invariance carries over). Bytes read per weight: (1 − s)·value
 * bytes + 1/8, against the dense value bytes.
 *
 * <p>Every vector operation is written out in the kernel bodies (see {@link FusedGemv} for why: helpers
 * that take or return vectors are boxed once C2 stops inlining). Notation: R = rows, C = cols, L = float
 * lanes, W = mask words per row, m_k = first mask word of row k, p_k = next packed value of row k.
 */
final class BitmapGemv {
    private static final long LANE_BITS = (1L << L) - 1;
    /** Where the accumulators are spilled in the scratch, after the four rows' tails (fewer than L each). */
    private static final int ACC = 4 * L;

    private BitmapGemv() {
    }

    /** As {@link Gemv#rows4}: out[o + k] = W[r + k] · x[xo ..] for k < nr; {@code s} holds Gemv.SCRATCH floats. */
    static void rows4(BitmapRows b, int r, int nr, float[] x, int xo, float[] s, float[] out, int o) {
        if (b.type() == GgmlType.F32) {
            f32(b, r, nr, x, xo, s, out, o);
        } else if (b.normalF16Row(r) && b.normalF16Row(r + Math.min(1, nr - 1)) && b.normalF16Row(r + Math.min(2, nr - 1))
                && b.normalF16Row(r + Math.min(3, nr - 1))) {
            f16Normal(b, r, nr, x, xo, s, out, o);
        } else {
            f16(b, r, nr, x, xo, s, out, o);
        }
    }

    private static void f32(BitmapRows b, int r, int nr, float[] x, int xo, float[] s, float[] out, int o) {
        long[] mk = b.masks();
        int[] rs = b.rowStart();
        float[] v = b.f32Values();
        int cols = b.cols(), w = b.wordsPerRow();
        int r1 = r + Math.min(1, nr - 1), r2 = r + Math.min(2, nr - 1), r3 = r + Math.min(3, nr - 1);
        int m0 = r * w, m1 = r1 * w, m2 = r2 * w, m3 = r3 * w;
        int p0 = rs[r], p1 = rs[r1], p2 = rs[r2], p3 = rs[r3];
        FloatVector c0 = FloatVector.zero(F), c1 = c0, c2 = c0, c3 = c0;
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            int wi = c >>> 6, sh = c & 63;
            FloatVector xv = FloatVector.fromArray(F, x, xo + c);
            long b0 = mk[m0 + wi] >>> sh & LANE_BITS;
            long b1 = mk[m1 + wi] >>> sh & LANE_BITS;
            long b2 = mk[m2 + wi] >>> sh & LANE_BITS;
            long b3 = mk[m3 + wi] >>> sh & LANE_BITS;
            c0 = FloatVector.fromArray(F, v, p0).expand(VectorMask.fromLong(F, b0)).fma(xv, c0);
            c1 = FloatVector.fromArray(F, v, p1).expand(VectorMask.fromLong(F, b1)).fma(xv, c1);
            c2 = FloatVector.fromArray(F, v, p2).expand(VectorMask.fromLong(F, b2)).fma(xv, c2);
            c3 = FloatVector.fromArray(F, v, p3).expand(VectorMask.fromLong(F, b3)).fma(xv, c3);
            p0 += Long.bitCount(b0);
            p1 += Long.bitCount(b1);
            p2 += Long.bitCount(b2);
            p3 += Long.bitCount(b3);
        }
        c0.intoArray(s, ACC);
        c1.intoArray(s, ACC + L);
        c2.intoArray(s, ACC + 2 * L);
        c3.intoArray(s, ACC + 3 * L);
        finish(b, m0, m1, m2, m3, p0, p1, p2, p3, c, nr, x, xo, s, out, o);
    }

    private static void f16(BitmapRows b, int r, int nr, float[] x, int xo, float[] s, float[] out, int o) {
        long[] mk = b.masks();
        int[] rs = b.rowStart();
        short[] h = b.f16Values();
        int cols = b.cols(), w = b.wordsPerRow();
        int r1 = r + Math.min(1, nr - 1), r2 = r + Math.min(2, nr - 1), r3 = r + Math.min(3, nr - 1);
        int m0 = r * w, m1 = r1 * w, m2 = r2 * w, m3 = r3 * w;
        int p0 = rs[r], p1 = rs[r1], p2 = rs[r2], p3 = rs[r3];
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            int wi = c >>> 6, sh = c & 63;
            FloatVector xv = FloatVector.fromArray(F, x, xo + c);
            long b0 = mk[m0 + wi] >>> sh & LANE_BITS;
            long b1 = mk[m1 + wi] >>> sh & LANE_BITS;
            long b2 = mk[m2 + wi] >>> sh & LANE_BITS;
            long b3 = mk[m3 + wi] >>> sh & LANE_BITS;
            IntVector h0 = (IntVector) ShortVector.fromArray(Simd.S, h, p0).convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector e0 = h0.and(0x7FFF);
            IntVector t0 = e0.lanewise(VectorOperators.LSHL, 13);
            IntVector u0 = ((FloatVector) e0.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
            IntVector q0 = t0.add(0x38000000).blend(t0.or(0x7F800000), e0.compare(VectorOperators.GE, 0x7C00)).blend(u0, e0.compare(VectorOperators.LT, 0x400));
            a0 = q0.or(h0.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().expand(VectorMask.fromLong(F, b0)).fma(xv, a0);
            IntVector h1 = (IntVector) ShortVector.fromArray(Simd.S, h, p1).convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector e1 = h1.and(0x7FFF);
            IntVector t1 = e1.lanewise(VectorOperators.LSHL, 13);
            IntVector u1 = ((FloatVector) e1.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
            IntVector q1 = t1.add(0x38000000).blend(t1.or(0x7F800000), e1.compare(VectorOperators.GE, 0x7C00)).blend(u1, e1.compare(VectorOperators.LT, 0x400));
            a1 = q1.or(h1.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().expand(VectorMask.fromLong(F, b1)).fma(xv, a1);
            IntVector h2 = (IntVector) ShortVector.fromArray(Simd.S, h, p2).convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector e2 = h2.and(0x7FFF);
            IntVector t2 = e2.lanewise(VectorOperators.LSHL, 13);
            IntVector u2 = ((FloatVector) e2.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
            IntVector q2 = t2.add(0x38000000).blend(t2.or(0x7F800000), e2.compare(VectorOperators.GE, 0x7C00)).blend(u2, e2.compare(VectorOperators.LT, 0x400));
            a2 = q2.or(h2.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().expand(VectorMask.fromLong(F, b2)).fma(xv, a2);
            IntVector h3 = (IntVector) ShortVector.fromArray(Simd.S, h, p3).convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector e3 = h3.and(0x7FFF);
            IntVector t3 = e3.lanewise(VectorOperators.LSHL, 13);
            IntVector u3 = ((FloatVector) e3.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
            IntVector q3 = t3.add(0x38000000).blend(t3.or(0x7F800000), e3.compare(VectorOperators.GE, 0x7C00)).blend(u3, e3.compare(VectorOperators.LT, 0x400));
            a3 = q3.or(h3.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().expand(VectorMask.fromLong(F, b3)).fma(xv, a3);
            p0 += Long.bitCount(b0);
            p1 += Long.bitCount(b1);
            p2 += Long.bitCount(b2);
            p3 += Long.bitCount(b3);
        }
        a0.intoArray(s, ACC);
        a1.intoArray(s, ACC + L);
        a2.intoArray(s, ACC + 2 * L);
        a3.intoArray(s, ACC + 3 * L);
        finish(b, m0, m1, m2, m3, p0, p1, p2, p3, c, nr, x, xo, s, out, o);
    }

    /**
     * F16 rows whose stored values are all normal numbers ({@link BitmapRows#normalF16Row}): the sign-extended
     * half shifted left by 13, masked to sign, exponent and mantissa, and re-biased by an integer add (the
     * exponent field cannot carry into the sign) — three operations instead of {@link Simd#f16s}'s dozen,
     * and the same floats for normal numbers. Decode is compute-bound, so this is what makes F16 pay.
     */
    private static void f16Normal(BitmapRows b, int r, int nr, float[] x, int xo, float[] s, float[] out, int o) {
        long[] mk = b.masks();
        int[] rs = b.rowStart();
        short[] h = b.f16Values();
        int cols = b.cols(), w = b.wordsPerRow();
        int r1 = r + Math.min(1, nr - 1), r2 = r + Math.min(2, nr - 1), r3 = r + Math.min(3, nr - 1);
        int m0 = r * w, m1 = r1 * w, m2 = r2 * w, m3 = r3 * w;
        int p0 = rs[r], p1 = rs[r1], p2 = rs[r2], p3 = rs[r3];
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (int bound = cols - L; c <= bound; c += L) {
            int wi = c >>> 6, sh = c & 63;
            FloatVector xv = FloatVector.fromArray(F, x, xo + c);
            long b0 = mk[m0 + wi] >>> sh & LANE_BITS;
            long b1 = mk[m1 + wi] >>> sh & LANE_BITS;
            long b2 = mk[m2 + wi] >>> sh & LANE_BITS;
            long b3 = mk[m3 + wi] >>> sh & LANE_BITS;
            IntVector h0 = (IntVector) ShortVector.fromArray(Simd.S, h, p0).convertShape(VectorOperators.S2I, Simd.I, 0);
            a0 = h0.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).add(0x38000000).reinterpretAsFloats().expand(VectorMask.fromLong(F, b0)).fma(xv, a0);
            IntVector h1 = (IntVector) ShortVector.fromArray(Simd.S, h, p1).convertShape(VectorOperators.S2I, Simd.I, 0);
            a1 = h1.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).add(0x38000000).reinterpretAsFloats().expand(VectorMask.fromLong(F, b1)).fma(xv, a1);
            IntVector h2 = (IntVector) ShortVector.fromArray(Simd.S, h, p2).convertShape(VectorOperators.S2I, Simd.I, 0);
            a2 = h2.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).add(0x38000000).reinterpretAsFloats().expand(VectorMask.fromLong(F, b2)).fma(xv, a2);
            IntVector h3 = (IntVector) ShortVector.fromArray(Simd.S, h, p3).convertShape(VectorOperators.S2I, Simd.I, 0);
            a3 = h3.lanewise(VectorOperators.LSHL, 13).and(0x8FFFE000).add(0x38000000).reinterpretAsFloats().expand(VectorMask.fromLong(F, b3)).fma(xv, a3);
            p0 += Long.bitCount(b0);
            p1 += Long.bitCount(b1);
            p2 += Long.bitCount(b2);
            p3 += Long.bitCount(b3);
        }
        a0.intoArray(s, ACC);
        a1.intoArray(s, ACC + L);
        a2.intoArray(s, ACC + 2 * L);
        a3.intoArray(s, ACC + 3 * L);
        finish(b, m0, m1, m2, m3, p0, p1, p2, p3, c, nr, x, xo, s, out, o);
    }

    /**
     * With the four accumulators spilled to s[ACC + k·L ..]: decodes each row's tail columns [c, C) to
     * s[k·L ..] and ends every row with {@link Gemm#finish}.
     */
    private static void finish(BitmapRows b, int m0, int m1, int m2, int m3, int p0, int p1, int p2, int p3, int c, int nr,
            float[] x, int xo, float[] s, float[] out, int o) {
        int cols = b.cols();
        tail(b, m0, p0, c, cols, s, 0);
        tail(b, m1, p1, c, cols, s, L);
        tail(b, m2, p2, c, cols, s, 2 * L);
        tail(b, m3, p3, c, cols, s, 3 * L);
        for (int k = 0; k < nr; k++) {
            out[o + k] = Gemm.finish(s, ACC + k * L, s, k * L - c, x, xo, c, cols);
        }
    }

    /** dst[d + i] = column c + i of the row whose mask starts at word m and next packed value is p, c + i < C. */
    private static void tail(BitmapRows b, int m, int p, int c, int cols, float[] dst, int d) {
        long[] mk = b.masks();
        float[] f = b.f32Values();
        short[] h = b.f16Values();
        for (int i = 0; c + i < cols; i++) {
            int col = c + i;
            if ((mk[m + (col >>> 6)] >>> (col & 63) & 1) != 0) {
                dst[d + i] = f != null ? f[p] : Float.float16ToFloat(h[p]);
                p++;
            } else {
                dst[d + i] = 0f;
            }
        }
    }

    /**
     * dst[d .. d + m) = columns [c0, c0 + m) of row {@code row}, exactly the dense values (the chunk decode of
     * {@link Gemm}'s panels); c0 is a multiple of L. The row's packed position at c0 is its start plus the
     * set bits before c0.
     */
    static void decode(BitmapRows b, int row, int c0, int m, float[] dst, int d) {
        long[] mk = b.masks();
        int mw = row * b.wordsPerRow();
        int p = b.rowStart()[row];
        for (int i = 0, n = c0 >>> 6; i < n; i++) {
            p += Long.bitCount(mk[mw + i]);
        }
        if ((c0 & 63) != 0) {
            p += Long.bitCount(mk[mw + (c0 >>> 6)] & ((1L << (c0 & 63)) - 1));
        }
        int c = 0;
        if (b.type() == GgmlType.F32) {
            float[] v = b.f32Values();
            for (int bound = m - L; c <= bound; c += L) {
                int col = c0 + c;
                long bits = mk[mw + (col >>> 6)] >>> (col & 63) & LANE_BITS;
                FloatVector.fromArray(F, v, p).expand(VectorMask.fromLong(F, bits)).intoArray(dst, d + c);
                p += Long.bitCount(bits);
            }
        } else {
            short[] h = b.f16Values();
            for (int bound = m - L; c <= bound; c += L) {
                int col = c0 + c;
                long bits = mk[mw + (col >>> 6)] >>> (col & 63) & LANE_BITS;
                IntVector h0 = (IntVector) ShortVector.fromArray(Simd.S, h, p).convertShape(VectorOperators.S2I, Simd.I, 0);
                IntVector e0 = h0.and(0x7FFF);
                IntVector t0 = e0.lanewise(VectorOperators.LSHL, 13);
                IntVector u0 = ((FloatVector) e0.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
                IntVector q0 = t0.add(0x38000000).blend(t0.or(0x7F800000), e0.compare(VectorOperators.GE, 0x7C00)).blend(u0, e0.compare(VectorOperators.LT, 0x400));
                q0.or(h0.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().expand(VectorMask.fromLong(F, bits)).intoArray(dst, d + c);
                p += Long.bitCount(bits);
            }
        }
        tail(b, mw, p, c0 + c, c0 + m, dst, d + c);
    }
}
