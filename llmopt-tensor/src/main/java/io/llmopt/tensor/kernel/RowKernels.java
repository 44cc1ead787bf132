package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Per-type dispatch of the vector row kernels: {@link #decode} widens whole blocks of any supported type to
 * floats (for the GEMM panels), {@link #dot} multiplies a weight row piece into an activation vector (GEMV).
 * Types with a fused dot kernel never materialize weights; the others decode {@link #CHUNK} values at a time
 * into an L1-resident scratch buffer and dot that. Types without a vector decoder fall back to the
 * reference codec (only types llmopt can read at all reach here).
 *
 * <p>Contracts: n is a whole number of blocks of the type; o is the byte offset of a block start.
 */
final class RowKernels {
    /** Values decoded per step of the scratch-buffer dot: one k-quant super-block or eight 32-blocks. */
    static final int CHUNK = 256;

    private RowKernels() {
    }

    /** dst[p .. p+n) = the n values of type {@code t} at byte offset {@code o} of {@code w}. */
    static void decode(GgmlType t, MemorySegment w, long o, int n, float[] dst, int p) {
        int nb = n / t.blockSize();
        switch (t) {
            case F32 -> FloatRows.decodeF32(w, o, n, dst, p);
            case F16 -> FloatRows.decodeF16(w, o, n, dst, p);
            case BF16 -> FloatRows.decodeBF16(w, o, n, dst, p);
            case Q4_0 -> LegacyQuantRows.decodeQ4_0(w, o, nb, dst, p);
            case Q4_1 -> LegacyQuantRows.decodeQ4_1(w, o, nb, dst, p);
            case Q5_0 -> LegacyQuantRows.decodeQ5_0(w, o, nb, dst, p);
            case Q5_1 -> LegacyQuantRows.decodeQ5_1(w, o, nb, dst, p);
            case Q8_0 -> LegacyQuantRows.decodeQ8_0(w, o, nb, dst, p);
            case Q2_K -> KQuantRows.decodeQ2_K(w, o, nb, dst, p);
            case Q3_K -> KQuantRows.decodeQ3_K(w, o, nb, dst, p);
            case Q4_K -> KQuantRows.decodeQ4_K(w, o, nb, dst, p);
            case Q5_K -> KQuantRows.decodeQ5_K(w, o, nb, dst, p);
            case Q6_K -> KQuantRows.decodeQ6_K(w, o, nb, dst, p);
            default -> Codecs.of(t).dequantize(w, o, dst, p, n);
        }
    }

    /**
     * Σ_i w[i]·x[xo + i] over the n values of type {@code t} at byte offset {@code o}; {@code scratch} holds
     * at least {@link #CHUNK} floats (used only by types without a fused kernel).
     */
    static float dot(GgmlType t, MemorySegment w, long o, int n, float[] x, int xo, float[] scratch) {
        int nb = n / t.blockSize();
        return switch (t) {
            case F32 -> FloatRows.dotF32(w, o, n, x, xo);
            case F16 -> FloatRows.dotF16(w, o, n, x, xo);
            case BF16 -> FloatRows.dotBF16(w, o, n, x, xo);
            case Q4_0 -> LegacyQuantRows.dotQ4_0(w, o, nb, x, xo);
            case Q4_1 -> LegacyQuantRows.dotQ4_1(w, o, nb, x, xo);
            case Q5_0 -> LegacyQuantRows.dotQ5_0(w, o, nb, x, xo);
            case Q5_1 -> LegacyQuantRows.dotQ5_1(w, o, nb, x, xo);
            case Q8_0 -> LegacyQuantRows.dotQ8_0(w, o, nb, x, xo);
            case Q4_K -> KQuantRows.dotQ4_K(w, o, nb, x, xo);
            case Q6_K -> KQuantRows.dotQ6_K(w, o, nb, x, xo);
            default -> chunkedDot(t, w, o, n, x, xo, scratch);
        };
    }

    private static float chunkedDot(GgmlType t, MemorySegment w, long o, int n, float[] x, int xo, float[] scratch) {
        int step = Math.max(t.blockSize(), CHUNK / t.blockSize() * t.blockSize());
        long stepBytes = t.byteSize(step);
        float sum = 0f;
        for (int i = 0; i < n; i += step, o += stepBytes) {
            int m = Math.min(step, n - i);
            decode(t, w, o, m, scratch, 0);
            sum += dot(scratch, 0, x, xo + i, m);
        }
        return sum;
    }

    /**
     * Σ a[ao + i]·b[bo + i], i < n: four accumulators, a single-vector loop, a fixed-order lane sum, a scalar
     * tail (attention's q·k: the same bits in every JIT tier).
     */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int i = 0;
        for (int bound = n - 4 * L; i <= bound; i += 4 * L) {
            a0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), a0);
            a1 = FloatVector.fromArray(F, a, ao + i + L).fma(FloatVector.fromArray(F, b, bo + i + L), a1);
            a2 = FloatVector.fromArray(F, a, ao + i + 2 * L).fma(FloatVector.fromArray(F, b, bo + i + 2 * L), a2);
            a3 = FloatVector.fromArray(F, a, ao + i + 3 * L).fma(FloatVector.fromArray(F, b, bo + i + 3 * L), a3);
        }
        for (int bound = n - L; i <= bound; i += L) {
            a0 = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), a0);
        }
        FloatVector v = a0.add(a1).add(a2.add(a3));
        // the butterfly of Simd.sum, inline (no vector helper): same bits in every JIT tier, unlike reduceLanes
        if (L >= 16) {
            v = v.lanewise(VectorOperators.ADD, v.rearrange(Simd.SWAP8));
        }
        if (L >= 8) {
            v = v.lanewise(VectorOperators.ADD, v.rearrange(Simd.SWAP4));
        }
        v = v.lanewise(VectorOperators.ADD, v.rearrange(Simd.SWAP2));
        v = v.lanewise(VectorOperators.ADD, v.rearrange(Simd.SWAP1));
        float sum = v.lane(0);
        for (; i < n; i++) {
            sum += a[ao + i] * b[bo + i];
        }
        return sum;
    }
}
