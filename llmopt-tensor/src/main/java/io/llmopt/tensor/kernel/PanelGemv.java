package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.I;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.LE;

import io.llmopt.tensor.ColumnPanels;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Decode GEMV (batch 1) over the {@link ColumnPanels} form, several panels at a time ({@link #unitPanels}: four
 * for F16, Q8_0, Q4_0 and Q4_K, two for F32 and Q6_K) in the outer-product form: for each column c, the weight vectors of the panels are decoded in registers and
 * acc += W[rows, c] · x[c] with x[c] broadcast. The accumulators restart at every {@link ColumnPanels#CHUNK}
 * columns and are added to the running totals, which is the arithmetic the form defines (see there), so the
 * outputs have the bits of {@link #reference} and of the GEMM ({@link PanelGemm}); the quantized types
 * follow the form's 8-bit activation arithmetic instead (see {@link ColumnPanels}),
 * their 16-bit loops taking the activations as shorts and shifting by vector counts ({@link #K12}). Several panels rather than
 * one: more independent accumulator chains and memory streams. F16, which needs the most bytes per
 * multiply-add, measured 6.3–6.6 GB/s per core from memory with one panel, 7.2–9.3 with two (2048×2048), and at
 * two threads 14.9–16.5 GB/s with two panels, 17.7–17.9 with four, against 18.8–19.2 for the GGUF-layout four-
 * row kernel (5632×2048, 2026-11-23). Panels past the last are replaced by the last one, computed again and
 * dropped.
 *
 * <p>As in the other big kernels, no helper takes or returns a vector (C2 stops inlining once a kernel's graph
 * is large, and a vector crossing a call is then boxed); each type's loop is written out, the eight nibble
 * shifts of Q4_0 with constant counts. The Q4_K and Q6_K loops live in {@link PanelKQuants}.
 */
final class PanelGemv {
    /** How the Q8_0 and Q4_0 kernels prefetch ({@link Prefetch#level}: not at all on AMD family 19h by default). */
    static final int PREFETCH_Q8_0 = Prefetch.level(io.llmopt.tensor.GgmlType.Q8_0), PREFETCH_Q4_0 = Prefetch.level(io.llmopt.tensor.GgmlType.Q4_0);
    /** Rows of a panel. */
    static final int P = 2 * L;
    /** Most rows of a GEMV work unit (four panels). */
    static final int UNIT = 4 * P;
    /** 2L = P bytes: one column of a Q8_0 panel, widened to P shorts. */
    static final VectorSpecies<Byte> B2 = VectorSpecies.of(byte.class, VectorShape.forBitSize(2 * L * 8));
    /** P shorts: one column of a Q4_0 panel's words, or its 16-bit block sums. */
    static final VectorSpecies<Short> SP = VectorSpecies.of(short.class, VectorShape.forBitSize(P * 16));
    /**
     * Shift counts of the 16-bit kernels as vectors: C2 compiles a short shift by a scalar constant to a move of
     * the count into a vector register before every shift (vpsllw/vpsraw with an xmm count, three instructions),
     * a shift by a vector to one vpsllvw/vpsravw.
     */
    static final ShortVector K4 = ShortVector.broadcast(SP, (short) 4), K6 = ShortVector.broadcast(SP, (short) 6),
            K8 = ShortVector.broadcast(SP, (short) 8), K10 = ShortVector.broadcast(SP, (short) 10),
            K12 = ShortVector.broadcast(SP, (short) 12), K14 = ShortVector.broadcast(SP, (short) 14);
    /** L shorts: half of one column of an F16 panel. */
    static final VectorSpecies<Short> S = Simd.S;

    private PanelGemv() {
    }

    /** Whether the kernels can run {@code f}: laid out for this vector width. */
    static boolean usable(ColumnPanels f) {
        return f.lanes() == L;
    }

    /** Panels per GEMV work unit of {@code f}: four (more memory streams: Q8_0 1.15× two panels at two threads), two for F32 and Q6_K. */
    static int unitPanels(ColumnPanels f) {
        return switch (f.type()) {
            case Q2_K, Q3_K, Q4_1, Q5_0, Q5_1, Q5_K, Q6_K, F32 -> 2;
            default -> 4;
        };
    }

    /** Rows per GEMV work unit of {@code f}. */
    static int unitRows(ColumnPanels f) {
        return unitPanels(f) * P;
    }

    /** Work units of {@code f}. */
    static int units(ColumnPanels f) {
        int k = unitPanels(f);
        return (f.panels() + k - 1) / k;
    }

    /**
     * out[oo + i] = row u·{@link #unitRows} + i of W·x for the rows of unit u; {@code res} holds at least
     * {@link #UNIT} floats. For the quantized types ({@link #quantized}), x must also be given quantized by
     * {@link Q8Activations#quantizeRow}: xq[c] the 8-bit value of x[xo + c] ({@link Q8Activations#toShorts}), xd the block scales, and
     * for Q4_K xs the block sums of {@link Q8Activations#blockSums} (unused, may be null, where not needed).
     * For F16, xh is x scaled by {@link #scaleForF16} (xh[c] = x[xo + c]·2¹¹²), or null if that returned false
     * (then the unscaled kernel runs); unused, may be null, for the other types. For the types of {@link CacheStage}
     * (by default Q4_K and Q6_K where {@link Prefetch} is unavailable) the unit's bytes are read once into the caches
     * first; the Q4_0, Q8_0, Q4_K and Q6_K kernels prefetch ahead where it is available.
     */
    static void unit(ColumnPanels f, int u, float[] x, int xo, short[] xq, float[] xd, float[] xs, float[] xh, MemorySegment xv, float[] out, int oo, float[] res) {
        MemorySegment d = f.data();
        int k = unitPanels(f);
        int p = k * u;
        long po = f.panelOffset(p);
        long pq = f.panelOffset(Math.min(p + 1, f.panels() - 1));
        int cols = f.cols();
        if (CacheStage.staged(f)) {
            CacheStage.panels(f, p, k);
        }
        switch (f.type()) {
            case F32 -> f32(d, po, pq, cols, x, xo, res);
            case F16 -> {
                if (xh != null) {
                    f16x4(d, po, pq, f.panelOffset(Math.min(p + 2, f.panels() - 1)), f.panelOffset(Math.min(p + 3, f.panels() - 1)), cols, xh, res);
                } else {
                    f16x4Unscaled(d, po, pq, f.panelOffset(Math.min(p + 2, f.panels() - 1)), f.panelOffset(Math.min(p + 3, f.panels() - 1)), cols, x, xo, res);
                }
            }
            case BF16 -> bf16x4(d, po, pq, f.panelOffset(Math.min(p + 2, f.panels() - 1)), f.panelOffset(Math.min(p + 3, f.panels() - 1)), cols, x, xo, res);
            case Q8_0 -> q8_0x4(d, po, pq, f.panelOffset(Math.min(p + 2, f.panels() - 1)), f.panelOffset(Math.min(p + 3, f.panels() - 1)), cols, xq, xd, res);
            case Q4_0 -> {
                if (xv != null && xv.byteSize() >= VnniGemv.bytes(cols) && VnniGemv.applies(f)) {
                    VnniGemv.unit(f, u, xv, res);
                } else {
                    q4_0(d, po, pq, f.panelOffset(Math.min(p + 2, f.panels() - 1)), f.panelOffset(Math.min(p + 3, f.panels() - 1)), cols, xq, xd, res);
                }
            }
            case Q4_K -> {
                if (xv != null && xv.byteSize() >= VnniGemv.bytes(cols) && VnniGemv.applies(f)) {
                    VnniGemv.unit(f, u, xv, res);
                } else {
                    PanelKQuants.q4_Kx4(d, po, pq, f.panelOffset(Math.min(p + 2, f.panels() - 1)), f.panelOffset(Math.min(p + 3, f.panels() - 1)),
                            f.blockBytes(), cols, xq, xd, xs, res);
                }
            }
            case Q2_K -> PanelKQuants.q2_Kx2(d, po, pq, f.blockBytes(), cols, xq, xd, res);
            case Q3_K -> PanelKQuants.q3_Kx2(d, po, pq, f.blockBytes(), cols, xq, xd, res);
            case Q5_K -> PanelKQuants.q5_Kx2(d, po, pq, f.blockBytes(), cols, xq, xd, xs, res);
            case Q5_0 -> PanelKQuants.q5_0x2(d, po, pq, f.blockBytes(), cols, xq, xd, xs, res, PanelKQuants.Q5_0);
            case Q5_1 -> PanelKQuants.q5_0x2(d, po, pq, f.blockBytes(), cols, xq, xd, xs, res, PanelKQuants.Q5_1);
            case Q4_1 -> PanelKQuants.q4_1x2(d, po, pq, f.blockBytes(), cols, xq, xd, xs, res);
            case Q6_K -> PanelKQuants.q6_Kx2(d, po, pq, f.blockBytes(), cols, xq, xd, res);
            default -> throw new AssertionError(f.type());
        }
        int n = Math.min(k * P, f.rows() - p * P);
        System.arraycopy(res, 0, out, oo, n);
    }

    /** Whether the kernels of {@code f} multiply with 8-bit activations ({@link Q8Activations}): Q8_0, Q4_0 and the other quantized types. */
    static boolean quantized(ColumnPanels f) {
        return switch (f.type()) {
            case Q2_K, Q3_K, Q4_0, Q4_1, Q4_K, Q5_0, Q5_1, Q5_K, Q6_K, Q8_0 -> true;
            default -> false;
        };
    }

    /**
     * F16 kernels' operand: xs[c] = x[xo + c]·2¹¹² for c &lt; n; returns whether every |x[xo + c]| &lt; 2¹⁶
     * (false for NaN and infinities too). Only then is every xs[c] finite and exact (a power-of-two scaling
     * that does not overflow; subnormal x included), so that {@link #f16x4} on xs gives the bits of the
     * unscaled arithmetic; otherwise the caller passes null and the unscaled kernel runs.
     */
    static boolean scaleForF16(float[] x, int xo, int n, float[] xs) {
        boolean ok = true;
        for (int c = 0; c < n; c++) {
            float v = x[xo + c];
            xs[c] = v * 0x1p112f;
            ok &= Math.abs(v) < 0x1p16f;
        }
        return ok;
    }

    /**
     * The scalar twin: row {@code row} of W·x by the form's arithmetic over {@link ColumnPanels#decodeRow},
     * which {@code w} (cols floats) receives.
     */
    static float reference(ColumnPanels f, int row, float[] x, int xo, float[] w) {
        f.decodeRow(row, w, 0);
        if (f.type() == io.llmopt.tensor.GgmlType.Q4_0 || f.type() == io.llmopt.tensor.GgmlType.Q5_0 || f.type() == io.llmopt.tensor.GgmlType.Q8_0) {
            boolean five = f.type() == io.llmopt.tensor.GgmlType.Q5_0, eight = f.type() == io.llmopt.tensor.GgmlType.Q8_0;
            short[] q = new short[f.cols()];
            float[] d = new float[f.cols() / 32];
            Q8Activations.quantize(x, xo, f.cols(), q, 0, d, 0);
            float total = 0f;
            for (int b = 0; b < d.length; b++) {
                int s = 0;
                for (int c = 32 * b; c < 32 * b + 32; c++) {
                    s += (eight ? f.q8_0(row, c) : five ? f.q5_0(row, c) : f.q4_0(row, c)) * q[c];
                }
                total = Math.fma((float) s, (eight ? f.q8_0Scale(row, 32 * b) : f.q4_0Scale(row, 32 * b)) * d[b], total);
            }
            return total;
        }
        if (f.type() == io.llmopt.tensor.GgmlType.Q4_K || f.type() == io.llmopt.tensor.GgmlType.Q5_K || f.type() == io.llmopt.tensor.GgmlType.Q5_1
                || f.type() == io.llmopt.tensor.GgmlType.Q4_1) {
            // Q5_1 and Q4_1: Q5_K and Q4_K with ds = d, mn = m
            boolean q51 = f.type() == io.llmopt.tensor.GgmlType.Q5_1, q41 = f.type() == io.llmopt.tensor.GgmlType.Q4_1;
            boolean five = f.type() == io.llmopt.tensor.GgmlType.Q5_K || q51;
            float zero = five ? 16f : 8f; // W = ds·(q − zero) + (zero·ds + mn)
            short[] q = new short[f.cols()];
            float[] d = new float[f.cols() / 32];
            Q8Activations.quantize(x, xo, f.cols(), q, 0, d, 0);
            float total = 0f;
            for (int b = 0; b < d.length; b++) {
                int s = 0, sum = 0;
                for (int c = 32 * b; c < 32 * b + 32; c++) {
                    s += (q51 ? f.q5_0(row, c) : q41 ? f.q4_0(row, c) : five ? f.q5_K(row, c) : f.q4_K(row, c)) * q[c];
                    sum += q[c];
                }
                float ds = q51 || q41 ? f.q4_0Scale(row, 32 * b) : f.q4_KScale(row, 32 * b);
                total = Math.fma((float) s, ds * d[b], total);
                total = Math.fma(ds * zero + (q51 || q41 ? f.q5_1Min(row, 32 * b) : f.q4_KMin(row, 32 * b)), sum * d[b], total);
            }
            return total;
        }
        if (f.type() == io.llmopt.tensor.GgmlType.Q2_K) {
            short[] q = new short[f.cols()];
            float[] d = new float[f.cols() / 32];
            Q8Activations.quantize(x, xo, f.cols(), q, 0, d, 0);
            float total = 0f;
            for (int j = 0; j < f.cols() / 16; j++) {
                int s = 0, sum = 0;
                for (int c = 16 * j; c < 16 * j + 16; c++) {
                    s += f.q2_K(row, c) * q[c];
                    sum += q[c];
                }
                float ds = f.q2_KScale(row, 16 * j);
                total = Math.fma((float) s, ds * d[j / 2], total);
                total = Math.fma(ds * 2f + f.q2_KMin(row, 16 * j), sum * d[j / 2], total);
            }
            return total;
        }
        if (f.type() == io.llmopt.tensor.GgmlType.Q3_K || f.type() == io.llmopt.tensor.GgmlType.Q6_K) {
            boolean three = f.type() == io.llmopt.tensor.GgmlType.Q3_K;
            short[] q = new short[f.cols()];
            float[] d = new float[f.cols() / 32];
            Q8Activations.quantize(x, xo, f.cols(), q, 0, d, 0);
            float total = 0f;
            for (int j = 0; j < f.cols() / 16; j++) {
                int s = 0;
                for (int c = 16 * j; c < 16 * j + 16; c++) {
                    s += (three ? f.q3_K(row, c) : f.q6_K(row, c)) * q[c];
                }
                total = Math.fma((float) s, f.q6_KScale(row, 16 * j) * d[j / 2], total);
            }
            return total;
        }
        float total = 0f;
        for (int c0 = 0; c0 < f.cols(); c0 += ColumnPanels.CHUNK) {
            float s = 0f;
            for (int c = c0, end = Math.min(f.cols(), c0 + ColumnPanels.CHUNK); c < end; c++) {
                s = Math.fma(w[c], x[xo + c], s);
            }
            total += s;
        }
        return total;
    }

    private static void f32(MemorySegment d, long po, long pq, int cols, float[] x, int xo, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
        for (int c0 = 0; c0 < cols; c0 += ColumnPanels.CHUNK) {
            int end = Math.min(cols, c0 + ColumnPanels.CHUNK);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int c = c0; c < end; c++) {
                long o = po + 4L * P * c, q = pq + 4L * P * c;
                FloatVector b = FloatVector.broadcast(F, x[xo + c]);
                a0 = FloatVector.fromMemorySegment(F, d, o, LE).fma(b, a0);
                a1 = FloatVector.fromMemorySegment(F, d, o + 4L * L, LE).fma(b, a1);
                a2 = FloatVector.fromMemorySegment(F, d, q, LE).fma(b, a2);
                a3 = FloatVector.fromMemorySegment(F, d, q + 4L * L, LE).fma(b, a3);
            }
            t0 = a0.lanewise(VectorOperators.ADD, t0);
            t1 = a1.lanewise(VectorOperators.ADD, t1);
            t2 = a2.lanewise(VectorOperators.ADD, t2);
            t3 = a3.lanewise(VectorOperators.ADD, t3);
        }
        Simd.ZERO.add(t0).intoArray(res, 0); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(t1).intoArray(res, L);
        Simd.ZERO.add(t2).intoArray(res, 2 * L);
        Simd.ZERO.add(t3).intoArray(res, 3 * L);
    }

    /**
     * F16 over four panels (eight accumulator chains, four memory streams), on x scaled by 2¹¹² ({@link
     * #scaleForF16}): with h sign-extended to 32 bits (S2I), (h &lt;&lt; 13) &amp; 0x8FFFFFFF is the float
     * w·2⁻¹¹² (see {@link ColumnPanels}), and fma(w·2⁻¹¹², x·2¹¹², a) == fma(w, x, a) bit for bit, the product
     * being exact inside the fma. Two integer operations per L weights and no multiply, against four and a
     * multiply in {@link #f16x4Unscaled}. Measured against that widening (CpuTimeBench F16 2048 2048 1,
     * alternating on a shared, noisy machine, 2026-11-23): two threads from memory 13.0–19.8 GB/s, median 16.7,
     * against 10.8–17.3, median 15.4 (12 runs each); one thread from memory 6.5–8.6 against 6.1–7.8 (3 runs);
     * one thread in cache 10.2–12.7, median 11.0, against 7.3–10.3, median 7.9 (6 runs).
     */
    private static void f16x4(MemorySegment d, long po, long pq, long po2, long pq2, int cols, float[] xs, float[] res) {
        if (F16_PAIRS) {
            f16x4Pairs(d, po, pq, po2, pq2, cols, xs, res);
            return;
        }
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
        for (int c0 = 0; c0 < cols; c0 += ColumnPanels.CHUNK) {
            int end = Math.min(cols, c0 + ColumnPanels.CHUNK);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int c = c0; c < end; c++) {
                long o = po + 2L * P * c, q = pq + 2L * P * c, o2 = po2 + 2L * P * c, q2 = pq2 + 2L * P * c;
                FloatVector b = FloatVector.broadcast(F, xs[c]);
                IntVector h0 = (IntVector) ShortVector.fromMemorySegment(S, d, o, LE).convertShape(VectorOperators.S2I, I, 0);
                a0 = h0.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().fma(b, a0);
                IntVector h1 = (IntVector) ShortVector.fromMemorySegment(S, d, o + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                a1 = h1.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().fma(b, a1);
                IntVector h2 = (IntVector) ShortVector.fromMemorySegment(S, d, q, LE).convertShape(VectorOperators.S2I, I, 0);
                a2 = h2.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().fma(b, a2);
                IntVector h3 = (IntVector) ShortVector.fromMemorySegment(S, d, q + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                a3 = h3.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().fma(b, a3);
                IntVector h4 = (IntVector) ShortVector.fromMemorySegment(S, d, o2, LE).convertShape(VectorOperators.S2I, I, 0);
                a4 = h4.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().fma(b, a4);
                IntVector h5 = (IntVector) ShortVector.fromMemorySegment(S, d, o2 + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                a5 = h5.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().fma(b, a5);
                IntVector h6 = (IntVector) ShortVector.fromMemorySegment(S, d, q2, LE).convertShape(VectorOperators.S2I, I, 0);
                a6 = h6.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().fma(b, a6);
                IntVector h7 = (IntVector) ShortVector.fromMemorySegment(S, d, q2 + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                a7 = h7.lanewise(VectorOperators.LSHL, 13).and(0x8FFFFFFF).reinterpretAsFloats().fma(b, a7);
            }
            t0 = a0.lanewise(VectorOperators.ADD, t0);
            t1 = a1.lanewise(VectorOperators.ADD, t1);
            t2 = a2.lanewise(VectorOperators.ADD, t2);
            t3 = a3.lanewise(VectorOperators.ADD, t3);
            t4 = a4.lanewise(VectorOperators.ADD, t4);
            t5 = a5.lanewise(VectorOperators.ADD, t5);
            t6 = a6.lanewise(VectorOperators.ADD, t6);
            t7 = a7.lanewise(VectorOperators.ADD, t7);
        }
        Simd.ZERO.add(t0).intoArray(res, 0); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(t1).intoArray(res, L);
        Simd.ZERO.add(t2).intoArray(res, 2 * L);
        Simd.ZERO.add(t3).intoArray(res, 3 * L);
        Simd.ZERO.add(t4).intoArray(res, 4 * L);
        Simd.ZERO.add(t5).intoArray(res, 5 * L);
        Simd.ZERO.add(t6).intoArray(res, 6 * L);
        Simd.ZERO.add(t7).intoArray(res, 7 * L);
    }

    /**
     * Whether the F16 GEMV reads two rows' halves per int lane ({@link #f16x4Pairs}; {@code -Dllmopt.f16pairs=false}
     * for the widening loads). `CpuTimeBench F16 2048 256 1 0 1 2` (in cache, one thread, 2026-11-24): 92.5–93.0 →
     * 109.8–114.6 GB/s; from memory with the memory in its slow state the same (one thread 35.5–35.6 against
     * 35.1–36.8, two 48.3–48.4 against 48.6–49.2; decode 46.3–46.6 against 47.0–47.1 GB/s).
     */
    static final boolean F16_PAIRS = Boolean.parseBoolean(System.getProperty("llmopt.f16pairs", "true"));
    /** Lane i ← lane i/2 of the even rows' vector (i even) or of the odd rows' (i odd), for the lower and upper half of a panel. */
    private static final FloatVector ZIP_LO = indices(i -> (i & 1) == 0 ? i / 2 : L + i / 2);
    private static final FloatVector ZIP_HI = indices(i -> (i & 1) == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2);

    /** Lane i = f(i): the indices of a two-vector {@code selectFrom} (below L the first vector's lanes, from L the second's). */
    private static FloatVector indices(java.util.function.IntUnaryOperator f) {
        float[] a = new float[L];
        for (int i = 0; i < L; i++) {
            a[i] = f.applyAsInt(i);
        }
        return FloatVector.fromArray(F, a, 0);
    }

    /**
     * {@link #f16x4} reading each panel column as L ints, two rows' halves each (row 2i in the low 16 bits, row 2i + 1
     * in the high): the odd rows widen as (v >> 3) &amp; 0x8FFFE000 and the even rows as ((v << 16) >> 3) &amp;
     * 0x8FFFE000, the same float bits as the sign-extend, shift and mask of f16x4, with one plain load per 2L
     * weights instead of two widening loads. Accumulators hold the even and the odd rows of a panel; they are
     * interleaved back into row order at the end.
     */
    private static void f16x4Pairs(MemorySegment d, long po, long pq, long po2, long pq2, int cols, float[] xs, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
        for (int c0 = 0; c0 < cols; c0 += ColumnPanels.CHUNK) {
            int end = Math.min(cols, c0 + ColumnPanels.CHUNK);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int c = c0; c < end; c++) {
                long o = po + 2L * P * c, q = pq + 2L * P * c, o2 = po2 + 2L * P * c, q2 = pq2 + 2L * P * c;
                FloatVector b = FloatVector.broadcast(F, xs[c]);
                IntVector v0 = IntVector.fromMemorySegment(I, d, o, LE);
                a0 = v0.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(b, a0);
                a1 = v0.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(b, a1);
                IntVector v1 = IntVector.fromMemorySegment(I, d, q, LE);
                a2 = v1.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(b, a2);
                a3 = v1.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(b, a3);
                IntVector v2 = IntVector.fromMemorySegment(I, d, o2, LE);
                a4 = v2.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(b, a4);
                a5 = v2.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(b, a5);
                IntVector v3 = IntVector.fromMemorySegment(I, d, q2, LE);
                a6 = v3.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(b, a6);
                a7 = v3.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().fma(b, a7);
            }
            t0 = a0.lanewise(VectorOperators.ADD, t0);
            t1 = a1.lanewise(VectorOperators.ADD, t1);
            t2 = a2.lanewise(VectorOperators.ADD, t2);
            t3 = a3.lanewise(VectorOperators.ADD, t3);
            t4 = a4.lanewise(VectorOperators.ADD, t4);
            t5 = a5.lanewise(VectorOperators.ADD, t5);
            t6 = a6.lanewise(VectorOperators.ADD, t6);
            t7 = a7.lanewise(VectorOperators.ADD, t7);
        }
        // (even, odd) rows of each panel back to row order: panel p's rows 0..L-1, then L..2L-1
        FloatVector e = Simd.ZERO.add(t0), od = Simd.ZERO.add(t1);
        ZIP_LO.selectFrom(e, od).intoArray(res, 0);
        ZIP_HI.selectFrom(e, od).intoArray(res, L);
        e = Simd.ZERO.add(t2);
        od = Simd.ZERO.add(t3);
        ZIP_LO.selectFrom(e, od).intoArray(res, 2 * L);
        ZIP_HI.selectFrom(e, od).intoArray(res, 3 * L);
        e = Simd.ZERO.add(t4);
        od = Simd.ZERO.add(t5);
        ZIP_LO.selectFrom(e, od).intoArray(res, 4 * L);
        ZIP_HI.selectFrom(e, od).intoArray(res, 5 * L);
        e = Simd.ZERO.add(t6);
        od = Simd.ZERO.add(t7);
        ZIP_LO.selectFrom(e, od).intoArray(res, 6 * L);
        ZIP_HI.selectFrom(e, od).intoArray(res, 7 * L);
    }

    /**
     * BF16 over four panels (eight accumulator chains, four memory streams), as {@link #f16x4} with the exact
     * widening of a bf16 h sign-extended to 32 bits: h &lt;&lt; 16 is the float (one integer operation), on the plain x.
     */
    private static void bf16x4(MemorySegment d, long po, long pq, long po2, long pq2, int cols, float[] x, int xo, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
        for (int c0 = 0; c0 < cols; c0 += ColumnPanels.CHUNK) {
            int end = Math.min(cols, c0 + ColumnPanels.CHUNK);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int c = c0; c < end; c++) {
                long o = po + 2L * P * c, q = pq + 2L * P * c, o2 = po2 + 2L * P * c, q2 = pq2 + 2L * P * c;
                FloatVector b = FloatVector.broadcast(F, x[xo + c]);
                IntVector h0 = (IntVector) ShortVector.fromMemorySegment(S, d, o, LE).convertShape(VectorOperators.S2I, I, 0);
                a0 = h0.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(b, a0);
                IntVector h1 = (IntVector) ShortVector.fromMemorySegment(S, d, o + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                a1 = h1.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(b, a1);
                IntVector h2 = (IntVector) ShortVector.fromMemorySegment(S, d, q, LE).convertShape(VectorOperators.S2I, I, 0);
                a2 = h2.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(b, a2);
                IntVector h3 = (IntVector) ShortVector.fromMemorySegment(S, d, q + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                a3 = h3.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(b, a3);
                IntVector h4 = (IntVector) ShortVector.fromMemorySegment(S, d, o2, LE).convertShape(VectorOperators.S2I, I, 0);
                a4 = h4.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(b, a4);
                IntVector h5 = (IntVector) ShortVector.fromMemorySegment(S, d, o2 + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                a5 = h5.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(b, a5);
                IntVector h6 = (IntVector) ShortVector.fromMemorySegment(S, d, q2, LE).convertShape(VectorOperators.S2I, I, 0);
                a6 = h6.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(b, a6);
                IntVector h7 = (IntVector) ShortVector.fromMemorySegment(S, d, q2 + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                a7 = h7.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(b, a7);
            }
            t0 = a0.lanewise(VectorOperators.ADD, t0);
            t1 = a1.lanewise(VectorOperators.ADD, t1);
            t2 = a2.lanewise(VectorOperators.ADD, t2);
            t3 = a3.lanewise(VectorOperators.ADD, t3);
            t4 = a4.lanewise(VectorOperators.ADD, t4);
            t5 = a5.lanewise(VectorOperators.ADD, t5);
            t6 = a6.lanewise(VectorOperators.ADD, t6);
            t7 = a7.lanewise(VectorOperators.ADD, t7);
        }
        Simd.ZERO.add(t0).intoArray(res, 0); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(t1).intoArray(res, L);
        Simd.ZERO.add(t2).intoArray(res, 2 * L);
        Simd.ZERO.add(t3).intoArray(res, 3 * L);
        Simd.ZERO.add(t4).intoArray(res, 4 * L);
        Simd.ZERO.add(t5).intoArray(res, 5 * L);
        Simd.ZERO.add(t6).intoArray(res, 6 * L);
        Simd.ZERO.add(t7).intoArray(res, 7 * L);
    }

    /**
     * F16 over four panels when x cannot be scaled ({@link #scaleForF16} false: some |x| ≥ 2¹⁶, NaN or
     * infinite): w = float with bits (h &amp; 0x7FFF) &lt;&lt; 13 | (h &amp; 0x8000) &lt;&lt; 16, times 2¹¹², then
     * fma with x[c] (four integer operations and a multiply per L weights).
     */
    private static void f16x4Unscaled(MemorySegment d, long po, long pq, long po2, long pq2, int cols, float[] x, int xo, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
        for (int c0 = 0; c0 < cols; c0 += ColumnPanels.CHUNK) {
            int end = Math.min(cols, c0 + ColumnPanels.CHUNK);
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int c = c0; c < end; c++) {
                long o = po + 2L * P * c, q = pq + 2L * P * c, o2 = po2 + 2L * P * c, q2 = pq2 + 2L * P * c;
                FloatVector b = FloatVector.broadcast(F, x[xo + c]);
                IntVector h0 = (IntVector) ShortVector.fromMemorySegment(S, d, o, LE).convertShape(VectorOperators.S2I, I, 0);
                IntVector r0 = h0.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h0.and(0x8000).lanewise(VectorOperators.LSHL, 16));
                a0 = r0.reinterpretAsFloats().mul(0x1p112f).fma(b, a0);
                IntVector h1 = (IntVector) ShortVector.fromMemorySegment(S, d, o + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                IntVector r1 = h1.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h1.and(0x8000).lanewise(VectorOperators.LSHL, 16));
                a1 = r1.reinterpretAsFloats().mul(0x1p112f).fma(b, a1);
                IntVector h2 = (IntVector) ShortVector.fromMemorySegment(S, d, q, LE).convertShape(VectorOperators.S2I, I, 0);
                IntVector r2 = h2.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h2.and(0x8000).lanewise(VectorOperators.LSHL, 16));
                a2 = r2.reinterpretAsFloats().mul(0x1p112f).fma(b, a2);
                IntVector h3 = (IntVector) ShortVector.fromMemorySegment(S, d, q + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                IntVector r3 = h3.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h3.and(0x8000).lanewise(VectorOperators.LSHL, 16));
                a3 = r3.reinterpretAsFloats().mul(0x1p112f).fma(b, a3);
                IntVector h4 = (IntVector) ShortVector.fromMemorySegment(S, d, o2, LE).convertShape(VectorOperators.S2I, I, 0);
                IntVector r4 = h4.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h4.and(0x8000).lanewise(VectorOperators.LSHL, 16));
                a4 = r4.reinterpretAsFloats().mul(0x1p112f).fma(b, a4);
                IntVector h5 = (IntVector) ShortVector.fromMemorySegment(S, d, o2 + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                IntVector r5 = h5.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h5.and(0x8000).lanewise(VectorOperators.LSHL, 16));
                a5 = r5.reinterpretAsFloats().mul(0x1p112f).fma(b, a5);
                IntVector h6 = (IntVector) ShortVector.fromMemorySegment(S, d, q2, LE).convertShape(VectorOperators.S2I, I, 0);
                IntVector r6 = h6.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h6.and(0x8000).lanewise(VectorOperators.LSHL, 16));
                a6 = r6.reinterpretAsFloats().mul(0x1p112f).fma(b, a6);
                IntVector h7 = (IntVector) ShortVector.fromMemorySegment(S, d, q2 + 2L * L, LE).convertShape(VectorOperators.S2I, I, 0);
                IntVector r7 = h7.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).or(h7.and(0x8000).lanewise(VectorOperators.LSHL, 16));
                a7 = r7.reinterpretAsFloats().mul(0x1p112f).fma(b, a7);
            }
            t0 = a0.lanewise(VectorOperators.ADD, t0);
            t1 = a1.lanewise(VectorOperators.ADD, t1);
            t2 = a2.lanewise(VectorOperators.ADD, t2);
            t3 = a3.lanewise(VectorOperators.ADD, t3);
            t4 = a4.lanewise(VectorOperators.ADD, t4);
            t5 = a5.lanewise(VectorOperators.ADD, t5);
            t6 = a6.lanewise(VectorOperators.ADD, t6);
            t7 = a7.lanewise(VectorOperators.ADD, t7);
        }
        Simd.ZERO.add(t0).intoArray(res, 0); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(t1).intoArray(res, L);
        Simd.ZERO.add(t2).intoArray(res, 2 * L);
        Simd.ZERO.add(t3).intoArray(res, 3 * L);
        Simd.ZERO.add(t4).intoArray(res, 4 * L);
        Simd.ZERO.add(t5).intoArray(res, 5 * L);
        Simd.ZERO.add(t6).intoArray(res, 6 * L);
        Simd.ZERO.add(t7).intoArray(res, 7 * L);
    }

    /** 0x8000 in every int lane of a pair-sum vector viewed as ints: turns the low (even-row) half unsigned. */
    private static final IntVector BIAS = IntVector.broadcast(I, 0x8000);
    /** The int zero as a constant: an exact receiver for the loop-carried int totals (see Simd). */
    private static final IntVector IZERO = IntVector.zero(I);
    /** 16·0x8000: the bias of 16 pair sums in the even rows' totals. */
    private static final IntVector EVEN_BIAS = IntVector.broadcast(I, 16 * 0x8000);

    /**
     * Q8_0 over four panels on 8-bit activations ({@link Q8Activations}), in 16-bit integers: for each pair of
     * columns (c, c + 1) and panel, v = q_c·q_x[c] + q_{c+1}·q_x[c+1] in P short lanes (two widenings, two
     * multiplies, one add per 2P weights; |v| ≤ 2·127·127 = 32258, exact), then summed exactly per block in 32 bits
     * through the int view of v: lane k holds row 2k in its low half and row 2k + 1 in its high half, so with
     * u = v ^ 0x8000 (the low half made unsigned) A += u and H += u &gt;&gt; 16 (arithmetic) give the odd rows' sums H
     * and the even rows' A − (H &lt;&lt; 16) − 16·0x8000 (modulo 2³², which holds every |sum| ≤ 32·127·127). Per
     * block, t = fma(sum, d_w·d_x, t) per row (the product of two fp16 values is exact in float), even and odd rows
     * in separate accumulators, interleaved once at the end. In cache on one Zen 4 core 33.9 against 25.8 GB/s
     * for the float form on float activations (BENCHMARKS "Q8_0 on 8-bit activations").
     */
    private static void q8_0x4(MemorySegment d, long p0, long p1, long p2, long p3, int cols, short[] xq, float[] xd, float[] res) {
        FloatVector e0 = FloatVector.zero(F), o0 = e0, e1 = e0, o1 = e0, e2 = e0, o2 = e0, e3 = e0, o3 = e0;
        long bb = 34L * P;
        for (int b = 0; b < cols >>> 5; b++) {
            long f0 = p0 + b * bb, f1 = p1 + b * bb, f2 = p2 + b * bb, f3 = p3 + b * bb;
            Prefetch.ahead4(PREFETCH_Q8_0, d, f0, f1, f2, f3, bb); // each panel's block Prefetch.BYTES ahead (Zen 5 from memory +28 % on one core; in cache −30 %)
            IntVector a0 = IntVector.zero(I), h0 = a0, a1 = a0, h1 = a0, a2 = a0, h2 = a0, a3 = a0, h3 = a0;
            int c = 32 * b;
            for (int j = 0; j < 32; j += 2) {
                ShortVector x0 = ShortVector.broadcast(SP, xq[c + j]), x1 = ShortVector.broadcast(SP, xq[c + j + 1]);
                long o = 2L * P + (long) j * P;
                IntVector v;
                v = ((ShortVector) ByteVector.fromMemorySegment(B2, d, f0 + o, LE).convertShape(VectorOperators.B2S, SP, 0)).lanewise(VectorOperators.MUL, x0)
                        .lanewise(VectorOperators.ADD, ((ShortVector) ByteVector.fromMemorySegment(B2, d, f0 + o + P, LE).convertShape(VectorOperators.B2S, SP, 0))
                                .lanewise(VectorOperators.MUL, x1)).reinterpretAsInts().lanewise(VectorOperators.XOR, BIAS);
                a0 = v.lanewise(VectorOperators.ADD, a0);
                h0 = v.lanewise(VectorOperators.ASHR, 16).lanewise(VectorOperators.ADD, h0);
                v = ((ShortVector) ByteVector.fromMemorySegment(B2, d, f1 + o, LE).convertShape(VectorOperators.B2S, SP, 0)).lanewise(VectorOperators.MUL, x0)
                        .lanewise(VectorOperators.ADD, ((ShortVector) ByteVector.fromMemorySegment(B2, d, f1 + o + P, LE).convertShape(VectorOperators.B2S, SP, 0))
                                .lanewise(VectorOperators.MUL, x1)).reinterpretAsInts().lanewise(VectorOperators.XOR, BIAS);
                a1 = v.lanewise(VectorOperators.ADD, a1);
                h1 = v.lanewise(VectorOperators.ASHR, 16).lanewise(VectorOperators.ADD, h1);
                v = ((ShortVector) ByteVector.fromMemorySegment(B2, d, f2 + o, LE).convertShape(VectorOperators.B2S, SP, 0)).lanewise(VectorOperators.MUL, x0)
                        .lanewise(VectorOperators.ADD, ((ShortVector) ByteVector.fromMemorySegment(B2, d, f2 + o + P, LE).convertShape(VectorOperators.B2S, SP, 0))
                                .lanewise(VectorOperators.MUL, x1)).reinterpretAsInts().lanewise(VectorOperators.XOR, BIAS);
                a2 = v.lanewise(VectorOperators.ADD, a2);
                h2 = v.lanewise(VectorOperators.ASHR, 16).lanewise(VectorOperators.ADD, h2);
                v = ((ShortVector) ByteVector.fromMemorySegment(B2, d, f3 + o, LE).convertShape(VectorOperators.B2S, SP, 0)).lanewise(VectorOperators.MUL, x0)
                        .lanewise(VectorOperators.ADD, ((ShortVector) ByteVector.fromMemorySegment(B2, d, f3 + o + P, LE).convertShape(VectorOperators.B2S, SP, 0))
                                .lanewise(VectorOperators.MUL, x1)).reinterpretAsInts().lanewise(VectorOperators.XOR, BIAS);
                a3 = v.lanewise(VectorOperators.ADD, a3);
                h3 = v.lanewise(VectorOperators.ASHR, 16).lanewise(VectorOperators.ADD, h3);
            }
            float s = xd[b];
            IntVector hs = ShortVector.fromMemorySegment(SP, d, f0, LE).reinterpretAsInts(); // the P fp16 scales, even rows low
            IntVector ha0 = IZERO.lanewise(VectorOperators.ADD, h0); // exact receivers for the loop-carried totals (see Simd)
            e0 = ((FloatVector) IZERO.lanewise(VectorOperators.ADD, a0).lanewise(VectorOperators.SUB, ha0.lanewise(VectorOperators.LSHL, 16))
                    .lanewise(VectorOperators.SUB, EVEN_BIAS).convertShape(VectorOperators.I2F, F, 0))
                    .fma(hs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), e0);
            o0 = ((FloatVector) ha0.convertShape(VectorOperators.I2F, F, 0))
                    .fma(hs.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f).mul(s), o0);
            hs = ShortVector.fromMemorySegment(SP, d, f1, LE).reinterpretAsInts();
            IntVector ha1 = IZERO.lanewise(VectorOperators.ADD, h1); // exact receivers for the loop-carried totals (see Simd)
            e1 = ((FloatVector) IZERO.lanewise(VectorOperators.ADD, a1).lanewise(VectorOperators.SUB, ha1.lanewise(VectorOperators.LSHL, 16))
                    .lanewise(VectorOperators.SUB, EVEN_BIAS).convertShape(VectorOperators.I2F, F, 0))
                    .fma(hs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), e1);
            o1 = ((FloatVector) ha1.convertShape(VectorOperators.I2F, F, 0))
                    .fma(hs.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f).mul(s), o1);
            hs = ShortVector.fromMemorySegment(SP, d, f2, LE).reinterpretAsInts();
            IntVector ha2 = IZERO.lanewise(VectorOperators.ADD, h2); // exact receivers for the loop-carried totals (see Simd)
            e2 = ((FloatVector) IZERO.lanewise(VectorOperators.ADD, a2).lanewise(VectorOperators.SUB, ha2.lanewise(VectorOperators.LSHL, 16))
                    .lanewise(VectorOperators.SUB, EVEN_BIAS).convertShape(VectorOperators.I2F, F, 0))
                    .fma(hs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), e2);
            o2 = ((FloatVector) ha2.convertShape(VectorOperators.I2F, F, 0))
                    .fma(hs.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f).mul(s), o2);
            hs = ShortVector.fromMemorySegment(SP, d, f3, LE).reinterpretAsInts();
            IntVector ha3 = IZERO.lanewise(VectorOperators.ADD, h3); // exact receivers for the loop-carried totals (see Simd)
            e3 = ((FloatVector) IZERO.lanewise(VectorOperators.ADD, a3).lanewise(VectorOperators.SUB, ha3.lanewise(VectorOperators.LSHL, 16))
                    .lanewise(VectorOperators.SUB, EVEN_BIAS).convertShape(VectorOperators.I2F, F, 0))
                    .fma(hs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 3).and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), e3);
            o3 = ((FloatVector) ha3.convertShape(VectorOperators.I2F, F, 0))
                    .fma(hs.lanewise(VectorOperators.ASHR, 3).and(0x8FFFE000).reinterpretAsFloats().mul(0x1p112f).mul(s), o3);
        }
        // (even, odd) rows of each panel back to row order, through exact receivers (see Simd); a permutation, exact
        FloatVector e = Simd.ZERO.add(e0), od = Simd.ZERO.add(o0);
        ZIP_LO.selectFrom(e, od).intoArray(res, 0);
        ZIP_HI.selectFrom(e, od).intoArray(res, L);
        e = Simd.ZERO.add(e1);
        od = Simd.ZERO.add(o1);
        ZIP_LO.selectFrom(e, od).intoArray(res, 2 * L);
        ZIP_HI.selectFrom(e, od).intoArray(res, 3 * L);
        e = Simd.ZERO.add(e2);
        od = Simd.ZERO.add(o2);
        ZIP_LO.selectFrom(e, od).intoArray(res, 4 * L);
        ZIP_HI.selectFrom(e, od).intoArray(res, 5 * L);
        e = Simd.ZERO.add(e3);
        od = Simd.ZERO.add(o3);
        ZIP_LO.selectFrom(e, od).intoArray(res, 6 * L);
        ZIP_HI.selectFrom(e, od).intoArray(res, 7 * L);
    }

    /**
     * Q4_0 over four panels, in 16-bit integers: per block of 32 columns and panel, a = Σ (q − 8)·q_x in P short
     * lanes (two shifts sign-extend a nibble, then one multiply and one add per column: four vector operations
     * per 32 weights where the float form needs ten per 16), exact since |a| ≤ 32512; then t = fma(a, d·d_x, t).
     * Measured 1.35× the float kernel per core from memory, 1.31× at two threads (BENCHMARKS "Q4_0 with 8-bit
     * activations").
     */
    private static void q4_0(MemorySegment d, long p0, long p1, long p2, long p3, int cols, short[] xq, float[] xd, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
        long bb = 18L * P;
        for (int b = 0; b < cols >>> 5; b++) {
            long f0 = p0 + b * bb, f1 = p1 + b * bb, f2 = p2 + b * bb, f3 = p3 + b * bb;
            Prefetch.ahead4(PREFETCH_Q4_0, d, f0, f1, f2, f3, bb); // each panel's block Prefetch.BYTES ahead
            ShortVector a0 = ShortVector.zero(SP), a1 = a0, a2 = a0, a3 = a0;
            for (int k = 0; k < 8; k++) {
                long wo = 2L * P + 2L * P * k;
                ShortVector v0 = ShortVector.fromMemorySegment(SP, d, f0 + wo, LE);
                ShortVector v1 = ShortVector.fromMemorySegment(SP, d, f1 + wo, LE);
                ShortVector v2 = ShortVector.fromMemorySegment(SP, d, f2 + wo, LE);
                ShortVector v3 = ShortVector.fromMemorySegment(SP, d, f3 + wo, LE);
                int c = 32 * b + 4 * k;
                ShortVector bx;
                bx = ShortVector.broadcast(SP, xq[c]);
                a0 = v0.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = v1.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                a2 = v2.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a2);
                a3 = v3.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a3);
                bx = ShortVector.broadcast(SP, xq[c + 1]);
                a0 = v0.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = v1.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                a2 = v2.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a2);
                a3 = v3.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a3);
                bx = ShortVector.broadcast(SP, xq[c + 2]);
                a0 = v0.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = v1.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                a2 = v2.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a2);
                a3 = v3.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a3);
                bx = ShortVector.broadcast(SP, xq[c + 3]);
                a0 = v0.lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = v1.lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                a2 = v2.lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a2);
                a3 = v3.lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a3);
            }
            float s = xd[b];
            ShortVector h = ShortVector.fromMemorySegment(SP, d, f0, LE); // the P fp16 scales, widened as F16 weights
            t0 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 0)).fma(((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), t0);
            t1 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 1)).fma(((IntVector) h.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), t1);
            h = ShortVector.fromMemorySegment(SP, d, f1, LE);
            t2 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 0)).fma(((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), t2);
            t3 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 1)).fma(((IntVector) h.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), t3);
            h = ShortVector.fromMemorySegment(SP, d, f2, LE);
            t4 = ((FloatVector) a2.convertShape(VectorOperators.S2F, F, 0)).fma(((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), t4);
            t5 = ((FloatVector) a2.convertShape(VectorOperators.S2F, F, 1)).fma(((IntVector) h.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), t5);
            h = ShortVector.fromMemorySegment(SP, d, f3, LE);
            t6 = ((FloatVector) a3.convertShape(VectorOperators.S2F, F, 0)).fma(((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), t6);
            t7 = ((FloatVector) a3.convertShape(VectorOperators.S2F, F, 1)).fma(((IntVector) h.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13)
                    .and(0x8FFFFFFF).reinterpretAsFloats().mul(0x1p112f).mul(s), t7);
        }
        Simd.ZERO.add(t0).intoArray(res, 0); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.add(t1).intoArray(res, L);
        Simd.ZERO.add(t2).intoArray(res, 2 * L);
        Simd.ZERO.add(t3).intoArray(res, 3 * L);
        Simd.ZERO.add(t4).intoArray(res, 4 * L);
        Simd.ZERO.add(t5).intoArray(res, 5 * L);
        Simd.ZERO.add(t6).intoArray(res, 6 * L);
        Simd.ZERO.add(t7).intoArray(res, 7 * L);
    }
}
