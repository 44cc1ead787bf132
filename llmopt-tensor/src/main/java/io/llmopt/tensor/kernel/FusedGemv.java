package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.PARTS;
import static io.llmopt.tensor.kernel.Simd.f16;
import static io.llmopt.tensor.kernel.Simd.B16;
import static io.llmopt.tensor.kernel.Simd.LE;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * GEMV kernels that decode four weight rows in registers and multiply them into x at once (no scratch
 * round trip; x is loaded once for the four rows). Each weight vector is computed by exactly the expression
 * the type's {@code decode} stores (e.g. Q8_0: float(q)·d), and each row's accumulator takes the vector
 * steps in ascending column order, so the result is the same bits as decoding and running {@link Gemm}'s
 * tiles: batch invariance holds (see {@link Gemm}).
 *
 * <p>Contract of every kernel: rows at byte offsets o0..o3, nb blocks (or n values), x at xo; the four
 * accumulators are stored at acc[p + k·L], k < 4; acc[0 .. 128) may be used to stage block scales (p ≥ 128). Notation as in {@link LegacyQuantRows}/{@link KQuantRows}.
 *
 * <p>Every vector operation is written out here, never behind a helper method: once a compiled method's
 * graph passes C2's node-count cutoff, C2 stops inlining ordinary helpers (the Vector API's own methods are
 * force-inlined regardless), and a helper that takes or returns a vector then boxes it on the heap at every
 * call — the kernels ran 5–20× slower that way.
 */
final class FusedGemv {

    private FusedGemv() {
    }

    /** Whether {@code type} has a fused kernel for rows of {@code cols} values. */
    static boolean supports(GgmlType type, int cols) {
        return switch (type) {
            case Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> true;
            case F16 -> cols % L == 0;
            default -> false;
        };
    }

    /**
     * As the contract above; consecutive blocks of a row are {@code stride} bytes apart (the block size in the
     * GGUF layout, four block sizes in {@link io.llmopt.tensor.RowInterleaved}; F16 rows must be contiguous).
     */
    static void rows4(GgmlType type, MemorySegment w, long o0, long o1, long o2, long o3, long stride, int cols,
            float[] x, int xo, float[] acc, int p) {
        switch (type) {
            case Q8_0 -> q8_0(w, o0, o1, o2, o3, stride, cols / 32, x, xo, acc, p);
            case Q4_0 -> q4_0(w, o0, o1, o2, o3, stride, cols / 32, x, xo, acc, p);
            case Q4_K -> KQuantGemv.q4_K(w, o0, o1, o2, o3, stride, cols / 256, x, xo, acc, p);
            case Q5_K -> KQuantGemv.q5_K(w, o0, o1, o2, o3, stride, cols / 256, x, xo, acc, p);
            case Q4_1 -> LegacyQuantGemv.q4_1(w, o0, o1, o2, o3, stride, cols / 32, x, xo, acc, p);
            case Q5_0 -> LegacyQuantGemv.q5_0(w, o0, o1, o2, o3, stride, cols / 32, x, xo, acc, p);
            case Q5_1 -> LegacyQuantGemv.q5_1(w, o0, o1, o2, o3, stride, cols / 32, x, xo, acc, p);
            case Q2_K -> KQuantGemv.q2_K(w, o0, o1, o2, o3, stride, cols / 256, x, xo, acc, p);
            case Q3_K -> KQuantGemv.q3_K(w, o0, o1, o2, o3, stride, cols / 256, x, xo, acc, p);
            case Q6_K -> KQuantGemv.q6_K(w, o0, o1, o2, o3, stride, cols / 256, x, xo, acc, p);
            case F16 -> halfs(w, o0, o1, o2, o3, cols, x, xo, acc, p);
            default -> throw new IllegalArgumentException("no fused GEMV for " + type);
        }
    }

    private static void q8_0(MemorySegment w, long o0, long o1, long o2, long o3, long stride, int nb, float[] x, int xo,
            float[] acc, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 32) {
            long bo = b * stride;
            FloatVector d0 = FloatVector.broadcast(F, f16(w, o0 + bo));
            FloatVector d1 = FloatVector.broadcast(F, f16(w, o1 + bo));
            FloatVector d2 = FloatVector.broadcast(F, f16(w, o2 + bo));
            FloatVector d3 = FloatVector.broadcast(F, f16(w, o3 + bo));
            for (int h = 0; h < 2; h++) {
                ByteVector q0 = ByteVector.fromMemorySegment(B16, w, o0 + bo + 2 + 16 * h, LE);
                ByteVector q1 = ByteVector.fromMemorySegment(B16, w, o1 + bo + 2 + 16 * h, LE);
                ByteVector q2 = ByteVector.fromMemorySegment(B16, w, o2 + bo + 2 + 16 * h, LE);
                ByteVector q3 = ByteVector.fromMemorySegment(B16, w, o3 + bo + 2 + 16 * h, LE);
                for (int k = 0; k < PARTS; k++) {
                    FloatVector v = FloatVector.fromArray(F, x, xo + 16 * h + k * L);
                    a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, k)).mul(d0).fma(v, a0);
                    a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, k)).mul(d1).fma(v, a1);
                    a2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, k)).mul(d2).fma(v, a2);
                    a3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, k)).mul(d3).fma(v, a3);
                }
            }
        }
        a0.intoArray(acc, p);
        a1.intoArray(acc, p + L);
        a2.intoArray(acc, p + 2 * L);
        a3.intoArray(acc, p + 3 * L);
    }

    private static void q4_0(MemorySegment w, long o0, long o1, long o2, long o3, long stride, int nb, float[] x, int xo,
            float[] acc, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < nb; b++, xo += 32) {
            long bo = b * stride;
            FloatVector d0 = FloatVector.broadcast(F, f16(w, o0 + bo));
            FloatVector d1 = FloatVector.broadcast(F, f16(w, o1 + bo));
            FloatVector d2 = FloatVector.broadcast(F, f16(w, o2 + bo));
            FloatVector d3 = FloatVector.broadcast(F, f16(w, o3 + bo));
            ByteVector p0 = ByteVector.fromMemorySegment(B16, w, o0 + bo + 2, LE);
            ByteVector p1 = ByteVector.fromMemorySegment(B16, w, o1 + bo + 2, LE);
            ByteVector p2 = ByteVector.fromMemorySegment(B16, w, o2 + bo + 2, LE);
            ByteVector p3 = ByteVector.fromMemorySegment(B16, w, o3 + bo + 2, LE);
            ByteVector s0 = p0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes();
            ByteVector s1 = p1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes();
            ByteVector s2 = p2.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes();
            ByteVector s3 = p3.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes();
            ByteVector q0 = p0.and((byte) 0x0F).sub((byte) 8); // low nibbles: elements 0..15
            ByteVector q1 = p1.and((byte) 0x0F).sub((byte) 8);
            ByteVector q2 = p2.and((byte) 0x0F).sub((byte) 8);
            ByteVector q3 = p3.and((byte) 0x0F).sub((byte) 8);
            for (int k = 0; k < PARTS; k++) {
                FloatVector v = FloatVector.fromArray(F, x, xo + k * L);
                a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, k)).mul(d0).fma(v, a0);
                a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, k)).mul(d1).fma(v, a1);
                a2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, k)).mul(d2).fma(v, a2);
                a3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, k)).mul(d3).fma(v, a3);
            }
            q0 = s0.and((byte) 0x0F).sub((byte) 8); // high nibbles: elements 16..31
            q1 = s1.and((byte) 0x0F).sub((byte) 8);
            q2 = s2.and((byte) 0x0F).sub((byte) 8);
            q3 = s3.and((byte) 0x0F).sub((byte) 8);
            for (int k = 0; k < PARTS; k++) {
                FloatVector v = FloatVector.fromArray(F, x, xo + 16 + k * L);
                a0 = ((FloatVector) q0.convertShape(VectorOperators.B2F, F, k)).mul(d0).fma(v, a0);
                a1 = ((FloatVector) q1.convertShape(VectorOperators.B2F, F, k)).mul(d1).fma(v, a1);
                a2 = ((FloatVector) q2.convertShape(VectorOperators.B2F, F, k)).mul(d2).fma(v, a2);
                a3 = ((FloatVector) q3.convertShape(VectorOperators.B2F, F, k)).mul(d3).fma(v, a3);
            }
        }
        a0.intoArray(acc, p);
        a1.intoArray(acc, p + L);
        a2.intoArray(acc, p + 2 * L);
        a3.intoArray(acc, p + 3 * L);
    }

    /** F16 (n a multiple of L): the conversion of {@link Simd#f16s} inline, four rows per x vector. */
    private static void halfs(MemorySegment w, long o0, long o1, long o2, long o3, int n, float[] x, int xo,
            float[] acc, int p) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int i = 0; i < n; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            long b = 2L * i;
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(Simd.S, w, o0 + b, LE).convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector e0 = h0.and(0x7FFF);
            IntVector t0 = e0.lanewise(VectorOperators.LSHL, 13);
            IntVector u0 = ((FloatVector) e0.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
            IntVector r0 = t0.add(0x38000000).blend(t0.or(0x7F800000), e0.compare(VectorOperators.GE, 0x7C00)).blend(u0, e0.compare(VectorOperators.LT, 0x400));
            a0 = r0.or(h0.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().fma(v, a0);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(Simd.S, w, o1 + b, LE).convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector e1 = h1.and(0x7FFF);
            IntVector t1 = e1.lanewise(VectorOperators.LSHL, 13);
            IntVector u1 = ((FloatVector) e1.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
            IntVector r1 = t1.add(0x38000000).blend(t1.or(0x7F800000), e1.compare(VectorOperators.GE, 0x7C00)).blend(u1, e1.compare(VectorOperators.LT, 0x400));
            a1 = r1.or(h1.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().fma(v, a1);
            IntVector h2 = (IntVector) ShortVector.fromMemorySegment(Simd.S, w, o2 + b, LE).convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector e2 = h2.and(0x7FFF);
            IntVector t2 = e2.lanewise(VectorOperators.LSHL, 13);
            IntVector u2 = ((FloatVector) e2.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
            IntVector r2 = t2.add(0x38000000).blend(t2.or(0x7F800000), e2.compare(VectorOperators.GE, 0x7C00)).blend(u2, e2.compare(VectorOperators.LT, 0x400));
            a2 = r2.or(h2.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().fma(v, a2);
            IntVector h3 = (IntVector) ShortVector.fromMemorySegment(Simd.S, w, o3 + b, LE).convertShape(VectorOperators.S2I, Simd.I, 0);
            IntVector e3 = h3.and(0x7FFF);
            IntVector t3 = e3.lanewise(VectorOperators.LSHL, 13);
            IntVector u3 = ((FloatVector) e3.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
            IntVector r3 = t3.add(0x38000000).blend(t3.or(0x7F800000), e3.compare(VectorOperators.GE, 0x7C00)).blend(u3, e3.compare(VectorOperators.LT, 0x400));
            a3 = r3.or(h3.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats().fma(v, a3);
        }
        a0.intoArray(acc, p);
        a1.intoArray(acc, p + L);
        a2.intoArray(acc, p + 2 * L);
        a3.intoArray(acc, p + 3 * L);
    }
}
