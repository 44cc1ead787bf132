package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.LE;

import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Row kernels for the unquantized weight types F32, F16 and BF16, read in place from the (memory-mapped)
 * segment. {@code decode} widens n values at byte offset {@code o} into {@code dst[p ..]}; {@code dot}
 * returns Σ w[i]·x[xo + i] without materializing w. Any n is allowed (scalar tails); results equal the
 * reference codecs exactly for decode and up to summation order for dot.
 *
 * <p>Notation: o = byte offset of the row (or row piece) in the segment, n = number of values, p/xo = float
 * array offsets, L = float lanes.
 */
final class FloatRows {
    private FloatRows() {
    }

    static void decodeF32(MemorySegment w, long o, int n, float[] dst, int p) {
        MemorySegment.copy(w, Layouts.FLOAT, o, dst, p, n);
    }

    /**
     * The conversion of {@link Simd#f16s}, written inline: decode is inlined into the big GEMV/GEMM methods,
     * where a helper returning a vector may not be inlined and would box every vector (see {@link FusedGemv}).
     */
    static void decodeF16(MemorySegment w, long o, int n, float[] dst, int p) {
        int i = 0;
        for (int bound = n - L; i <= bound; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Simd.S, w, o + 2L * i, LE).convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector em = h.and(0x7FFF);
            IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
            IntVector normal = shifted.add(0x38000000);
            IntVector special = shifted.or(0x7F800000);
            IntVector sub = ((FloatVector) em.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
            IntVector r = normal.blend(special, em.compare(VectorOperators.GE, 0x7C00)).blend(sub, em.compare(VectorOperators.LT, 0x400));
            r.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().intoArray(dst, p + i);
        }
        for (; i < n; i++) {
            dst[p + i] = Simd.f16(w, o + 2L * i);
        }
    }

    static void decodeBF16(MemorySegment w, long o, int n, float[] dst, int p) {
        int i = 0;
        for (int bound = n - L; i <= bound; i += L) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(Simd.S, w, o + 2L * i, LE).convertShape(VectorOperators.S2I, Simd.I, 0);
            h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, p + i);
        }
        for (; i < n; i++) {
            dst[p + i] = Float.intBitsToFloat((w.get(Layouts.SHORT, o + 2L * i) & 0xFFFF) << 16);
        }
    }

    static float dotF32(MemorySegment w, long o, int n, float[] x, int xo) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int i = 0;
        for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
            long b = o + 4L * i;
            a0 = FloatVector.fromMemorySegment(F, w, b, LE).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = FloatVector.fromMemorySegment(F, w, b + 4L * L, LE).fma(FloatVector.fromArray(F, x, xo + i + L), a1);
            a2 = FloatVector.fromMemorySegment(F, w, b + 8L * L, LE).fma(FloatVector.fromArray(F, x, xo + i + 2 * L), a2);
            a3 = FloatVector.fromMemorySegment(F, w, b + 12L * L, LE).fma(FloatVector.fromArray(F, x, xo + i + 3 * L), a3);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = FloatVector.fromMemorySegment(F, w, o + 4L * i, LE).fma(FloatVector.fromArray(F, x, xo + i), a0);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += w.get(Layouts.FLOAT, o + 4L * i) * x[xo + i];
        }
        return sum;
    }

    static float dotF16(MemorySegment w, long o, int n, float[] x, int xo) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            a0 = Simd.f16s(w, o + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = Simd.f16s(w, o + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xo + i + L), a1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = Simd.f16s(w, o + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), a0);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += Simd.f16(w, o + 2L * i) * x[xo + i];
        }
        return sum;
    }

    static float dotBF16(MemorySegment w, long o, int n, float[] x, int xo) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        int i = 0;
        for (int bound = n - 2 * L; i <= bound; i += 2 * L) {
            a0 = Simd.bf16s(w, o + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), a0);
            a1 = Simd.bf16s(w, o + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xo + i + L), a1);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = Simd.bf16s(w, o + 2L * i).fma(FloatVector.fromArray(F, x, xo + i), a0);
        }
        float sum = a0.add(a1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += Float.intBitsToFloat((w.get(Layouts.SHORT, o + 2L * i) & 0xFFFF) << 16) * x[xo + i];
        }
        return sum;
    }
}
