package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.LE;

import io.llmopt.tensor.ColumnPanels;
import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Matrix–matrix product (prefill, batched decode) over the {@link ColumnPanels} form, in the outer-product
 * form of a BLIS micro-kernel. The activations are first packed by token groups of 12 (the last group 8 or 4
 * wide, padded with zeros): xp[g][c][j] = x[t₀(g) + j][c]. A worker then takes a panel of P = 2L rows and walks
 * its columns in chunks of {@link ColumnPanels#CHUNK}: the chunk is decoded once into a float buffer [c][P]
 * (16 KB at L = 16, stays in L1) and every token group runs a register tile over it — per column two weight
 * loads, one broadcast per token and 2 fused multiply-adds per token, into 2 × 12 accumulators that never
 * leave the registers within the chunk. At the chunk's end the tile adds its sums to the panel's totals.
 *
 * <p>The Q4_K and Q6_K chunk decoders live in {@link PanelKQuants}.
 *
 * <p>That is the arithmetic the form defines: each output is 0 + s₀ + s₁ + … over the chunks' sequential
 * fma sums, whatever the batch, the token's group or its lane, so a token's outputs have the bits of the
 * GEMV ({@link PanelGemv}) and of its scalar twin {@link PanelGemv#reference}. The quantized types run on
 * activations quantized to 8 bits ({@link #packQ8}) with exact tiles per block of 32 columns (Q6_K: per sub-block
 * of 16; {@link #blocks}, {@link PanelGemm16}, {@link #q6_KBlocks}), the arithmetic the form defines for them.
 */
final class PanelGemm {
    static final int P = PanelGemv.P;
    static final int CHUNK = ColumnPanels.CHUNK;
    /** Floats of a worker's decoded-chunk buffer: the chunk, then a Q4_K chunk's per-block scaling (see {@link PanelGemm16#decodeQ4_K}). */
    static final int PANEL = (CHUNK + 16) * P;

    private PanelGemm() {
    }

    /** Width of token group g (12, then 8 or 4 for the rest) of a batch. */
    static int groupWidth(int batch, int t0) {
        int rest = batch - t0;
        return rest > 8 ? 12 : rest > 4 ? 8 : 4;
    }

    /** Tokens a batch occupies once padded to its groups. */
    static int padded(int batch) {
        int t = 0;
        while (t < batch) {
            t += groupWidth(batch, t);
        }
        return t;
    }

    /**
     * Packs tokens [t0, t0 + w) of x (batch rows of cols floats at xo) as xp[xpo + c·w + j], zeros for
     * tokens past the batch.
     */
    static void pack(float[] x, int xo, int batch, int cols, int t0, int w, float[] xp, int xpo) {
        for (int j = 0; j < w; j++) {
            int t = t0 + j;
            if (t < batch) {
                int src = xo + t * cols;
                for (int c = 0; c < cols; c++) {
                    xp[xpo + c * w + j] = x[src + c];
                }
            } else {
                for (int c = 0; c < cols; c++) {
                    xp[xpo + c * w + j] = 0f;
                }
            }
        }
    }

    /**
     * As {@link #pack}, with every token quantized by {@link Q8Activations} (the Q4_0 and Q4_K kernels' operand):
     * the 8-bit values as floats in xp, the scale of block b of token t at xd[t·(cols/32) + b] and its block sum
     * ({@link Q8Activations#blockSums}) at xs[t·(cols/32) + b] (0 for padding), and, if xp16 is not null, the
     * 8-bit values once more as shorts at the same places ({@link PanelGemm16}); {@code row} holds cols floats of
     * scratch.
     */
    static void packQ8(float[] x, int xo, int batch, int cols, int t0, int w, float[] xp, int xpo, float[] xd, float[] xs, float[] row, short[] xp16) {
        int nb = cols >>> 5;
        for (int j = 0; j < w; j++) {
            int t = t0 + j;
            if (t < batch) {
                Q8Activations.quantizeRow(x, xo + t * cols, cols, row, 0, xd, t * nb);
                Q8Activations.blockSums(row, 0, cols, xd, t * nb, xs, t * nb);
            } else {
                java.util.Arrays.fill(row, 0, cols, 0f);
                java.util.Arrays.fill(xd, t * nb, t * nb + nb, 0f);
                java.util.Arrays.fill(xs, t * nb, t * nb + nb, 0f);
            }
            for (int c = 0; c < cols; c++) {
                xp[xpo + c * w + j] = row[c];
            }
            if (xp16 != null) {
                for (int c = 0; c < cols; c++) {
                    xp16[xpo + c * w + j] = (short) row[c];
                }
            }
        }
    }

    /**
     * Q8_0 and Q5_0, one token group over a decoded chunk (a[c·P + i] = q, Q5_0 q − 16), the block scales widened by
     * {@link #halfScales} into a[(CHUNK + j)·P ..], reached through {@code as}, the segment of a: per block of 32
     * columns a register tile sums q·q_x from 0 on the 8-bit activations (exact) and adds fma(sum, d_w·d_x, tb) per
     * token: the GEMV's arithmetic.
     */
    private static void blocks(MemorySegment as, int c0, int m, float[] a, float[] xp, int xo, int w, float[] xd, int t0, int nb,
            float[] tb) {
        for (int cb = 0; cb < m; cb += 32) {
            int b = (c0 + cb) >>> 5;
            long so = 4L * (CHUNK + (cb >>> 5)) * P;
            tile(w, a, cb * P, 32, xp, xo + cb * w, tb, t0 * P, as, so, xd, t0 * nb + b, nb);
        }
    }

    /**
     * Q8_0 and Q4_0: the fp16 scales of the chunk's blocks (at c0, m columns; blocks of bb bytes at po) widened
     * to a[(CHUNK + j)·P + i] for block j of the chunk and row i ({@code Float.float16ToFloat}: the GEMV's d).
     */
    static void halfScales(MemorySegment d, long po, long bb, int c0, int m, float[] a) {
        for (int j = 0; j < m >>> 5; j++) {
            long so = po + ((c0 >>> 5) + j) * bb;
            int ao = (CHUNK + j) * P;
            for (int i = 0; i < P; i++) {
                a[ao + i] = Float.float16ToFloat(d.get(Layouts.SHORT, so + 2L * i));
            }
        }
    }

    /** The w-token float tile over n columns with per-block weight scales (q12, q8 or q4 by the group's width). */
    private static void tile(int w, float[] a, int ao, int n, float[] xp, int xo, float[] tb, int to, MemorySegment d, long fo, float[] xd, int xdo, int nb) {
        switch (w) {
            case 12 -> q12(a, ao, n, xp, xo, tb, to, d, fo, xd, xdo, nb);
            case 8 -> q8(a, ao, n, xp, xo, tb, to, d, fo, xd, xdo, nb);
            default -> q4(a, ao, n, xp, xo, tb, to, d, fo, xd, xdo, nb);
        }
    }

    /**
     * Q6_K, one token group over a chunk decoded by {@link PanelKQuants#decodeQ6_K} (a[c·P + i] = q − 32, each
     * sub-block's d·sc after the chunk, reached through {@code as}, the segment of a): per 16-column sub-block the
     * Q4_0 tile (exact sums, |·| ≤ 65024) with d_w = d·sc — the GEMV's arithmetic.
     */
    private static void q6_KBlocks(MemorySegment as, int c0, int m, float[] a, float[] xp, int xo, int w, float[] xd, int t0, int nb, float[] tb) {
        for (int cs = 0; cs < m; cs += 16) {
            int b = (c0 + cs) >>> 5;
            long so = 4L * (CHUNK + (cs >>> 4)) * P;
            tile(w, a, cs * P, 16, xp, xo + cs * w, tb, t0 * P, as, so, xd, t0 * nb + b, nb);
        }
    }

    /**
     * Q5_K, one token group over a chunk decoded by {@link PanelKQuants#decodeQ5_K}: per 32-column sub-block the
     * w-token float tile (exact sums of (q − 16)·q_x: |sum| ≤ 65024) with d_w = ds, then tb = fma(16·ds + mn,
     * xs[t·nb + b], tb) per token — the GEMV's arithmetic ({@link PanelKQuants#q5_Kx2}).
     */
    static void q5_KBlocks(MemorySegment as, int c0, int m, float[] a, float[] xp, int xo, int w, float[] xd, float[] xs, int t0, int nb,
            float[] tb) {
        for (int cb = 0; cb < m; cb += 32) {
            int b = (c0 + cb) >>> 5;
            int so = (CHUNK + 2 * (cb >>> 5)) * P;
            tile(w, a, cb * P, 32, xp, xo + cb * w, tb, t0 * P, as, 4L * so, xd, t0 * nb + b, nb);
            minimums(a, so + P, xs, b, nb, t0, w, tb);
        }
    }

    /**
     * Q2_K, one token group over a chunk decoded by {@link PanelKQuants#decodeQ2_K}: per 16-column sub-block the
     * w-token float tile (exact sums of (q − 2)·q_x) with d_w = ds, then tb = fma(2·ds + mn, (Σ q_x)·d_x, tb) per
     * token with the sum over the sub-block's 16 columns (exact in floats), made once per call in xs16[t·2nb + c/16]
     * (PanelMatMul) — the GEMV's arithmetic
     * ({@link PanelKQuants#q2_Kx2}).
     */
    private static void q2_KBlocks(MemorySegment as, int c0, int m, float[] a, float[] xp, int xo, int w, float[] xd, float[] xs16, int t0, int nb,
            float[] tb) {
        for (int cs = 0; cs < m; cs += 16) {
            int b = (c0 + cs) >>> 5;
            int so = (CHUNK + 2 * (cs >>> 4)) * P;
            tile(w, a, cs * P, 16, xp, xo + cs * w, tb, t0 * P, as, 4L * so, xd, t0 * nb + b, nb);
            FloatVector m0 = FloatVector.fromArray(F, a, so + P);
            FloatVector m1 = FloatVector.fromArray(F, a, so + P + L);
            for (int j = 0; j < w; j++) {
                int to = (t0 + j) * P;
                FloatVector sx = FloatVector.broadcast(F, xs16[(t0 + j) * 2 * nb + ((c0 + cs) >>> 4)]);
                m0.fma(sx, FloatVector.fromArray(F, tb, to)).intoArray(tb, to);
                m1.fma(sx, FloatVector.fromArray(F, tb, to + L)).intoArray(tb, to + L);
            }
        }
    }

    /**
     * The K-quants' minimum term of one 32-column block for a token group: tb[t·P + i] = fma(a[mo + i],
     * xs[t·nb + b], tb[..]) for the w tokens from t0 (a[mo ..]: zero·ds + mn of the block's P rows).
     */
    static void minimums(float[] a, int mo, float[] xs, int b, int nb, int t0, int w, float[] tb) {
        FloatVector m0 = FloatVector.fromArray(F, a, mo);
        FloatVector m1 = FloatVector.fromArray(F, a, mo + L);
        for (int j = 0; j < w; j++) {
            int to = (t0 + j) * P;
            FloatVector sx = FloatVector.broadcast(F, xs[(t0 + j) * nb + b]);
            m0.fma(sx, FloatVector.fromArray(F, tb, to)).intoArray(tb, to);
            m1.fma(sx, FloatVector.fromArray(F, tb, to + L)).intoArray(tb, to + L);
        }
    }

    /**
     * out[oo + t·rows + p·P + i] for the rows of panel p and tokens t &lt; batch, from x packed by {@link #pack}
     * (group by group, group g of width w at xp[t₀·cols ..]; for Q4_0 and Q4_K by {@link #packQ8}, block scales in
     * xd, block sums in xs; for Q4_0 the 8-bit values as shorts in xp16); {@code a} holds {@link #PANEL} floats and {@code as} is its segment,
     * {@code a16} (Q4_0) CHUNK·P shorts, {@code tb} padded(batch)·P.
     */
    static void panel(ColumnPanels f, int p, float[] xp, float[] xd, float[] xs, int batch, float[] out, int oo, int rows, float[] a, MemorySegment as, float[] tb,
            short[] xp16, short[] a16) {
        int cols = f.cols();
        int tp = padded(batch);
        java.util.Arrays.fill(tb, 0, tp * P, 0f);
        MemorySegment d = f.data();
        long po = f.panelOffset(p);
        for (int c0 = 0; c0 < cols; c0 += CHUNK) {
            int m = Math.min(CHUNK, cols - c0);
            switch (f.type()) {
                case F32 -> MemorySegment.copy(d, Layouts.FLOAT, po + 4L * P * c0, a, 0, m * P);
                case F16 -> f16(d, po, c0, m, a);
                case BF16 -> bf16(d, po, c0, m, a);
                case Q8_0 -> {
                    q8_0(d, po, c0, m, a);
                    halfScales(d, po, f.blockBytes(), c0, m, a);
                }
                case Q4_0 -> {
                    PanelGemm16.decodeQ4_0(d, po, c0, m, a16);
                    halfScales(d, po, f.blockBytes(), c0, m, a);
                }
                case Q5_0 -> {
                    PanelKQuants.decodeQ5_0(d, po, f.blockBytes(), c0, m, a, PanelKQuants.Q5_0);
                    halfScales(d, po, f.blockBytes(), c0, m, a);
                }
                case Q5_1 -> {
                    PanelKQuants.decodeQ5_0(d, po, f.blockBytes(), c0, m, a, PanelKQuants.Q5_1);
                    PanelKQuants.q5_1Scales(d, po, f.blockBytes(), c0, m, a, 16f);
                }
                case Q4_1 -> {
                    PanelGemm16.decodeQ4_0(d, po, f.blockBytes(), 4L * P, c0, m, a16);
                    PanelKQuants.q5_1Scales(d, po, f.blockBytes(), c0, m, a, 8f);
                }
                case Q4_K -> PanelGemm16.decodeQ4_K(d, po, f.blockBytes(), c0, a, a16);
                case Q5_K -> PanelKQuants.decodeQ5_K(d, po, f.blockBytes(), c0, a);
                case Q3_K -> PanelKQuants.decodeQ3_K(d, po, f.blockBytes(), c0, a);
                case Q2_K -> PanelKQuants.decodeQ2_K(d, po, f.blockBytes(), c0, a);
                case Q6_K -> PanelKQuants.decodeQ6_K(d, po, f.blockBytes(), c0, a);
                default -> throw new AssertionError(f.type());
            }
            for (int t0 = 0; t0 < batch; ) {
                int w = groupWidth(batch, t0);
                int xo = t0 * cols + c0 * w;
                if (f.type() == io.llmopt.tensor.GgmlType.Q4_0) {
                    PanelGemm16.blocks(as, c0, m, a16, xp16, xo, w, xd, t0, cols >>> 5, tb);
                    t0 += w;
                    continue;
                }
                if (f.type() == io.llmopt.tensor.GgmlType.Q8_0 || f.type() == io.llmopt.tensor.GgmlType.Q5_0) {
                    // 8-bit activations: exact sums of q·q_x (Q5_0: (q − 16)·q_x), then d_w·d_x
                    blocks(as, c0, m, a, xp, xo, w, xd, t0, cols >>> 5, tb);
                    t0 += w;
                    continue;
                }
                if (f.type() == io.llmopt.tensor.GgmlType.Q6_K || f.type() == io.llmopt.tensor.GgmlType.Q3_K) {
                    q6_KBlocks(as, c0, m, a, xp, xo, w, xd, t0, cols >>> 5, tb);
                    t0 += w;
                    continue;
                }
                if (f.type() == io.llmopt.tensor.GgmlType.Q2_K) {
                    q2_KBlocks(as, c0, m, a, xp, xo, w, xd, xs, t0, cols >>> 5, tb); // xs: the sums per 16 columns (PanelMatMul)
                    t0 += w;
                    continue;
                }
                if (f.type() == io.llmopt.tensor.GgmlType.Q5_K || f.type() == io.llmopt.tensor.GgmlType.Q5_1) {
                    q5_KBlocks(as, c0, m, a, xp, xo, w, xd, xs, t0, cols >>> 5, tb);
                    t0 += w;
                    continue;
                }
                if (f.type() == io.llmopt.tensor.GgmlType.Q4_K || f.type() == io.llmopt.tensor.GgmlType.Q4_1) {
                    PanelGemm16.blocksQ4_K(as, a, c0, m, a16, xp16, xo, w, xd, xs, t0, cols >>> 5, tb);
                    t0 += w;
                    continue;
                }
                switch (w) {
                    case 12 -> k12(a, 0, m, xp, xo, tb, t0 * P);
                    case 8 -> k8(a, 0, m, xp, xo, tb, t0 * P);
                    default -> k4(a, 0, m, xp, xo, tb, t0 * P);
                }
                t0 += w;
            }
        }
        int n = Math.min(P, f.rows() - p * P);
        for (int t = 0; t < batch; t++) {
            System.arraycopy(tb, t * P, out, oo + t * rows + p * P, n);
        }
    }

    /**
     * F16: the chunk is contiguous in the form, so one plain loop widens it; C2's superword pass compiles it to
     * the hardware's half-to-float conversion (vcvtph2ps), exact for every half and so equal to the integer
     * widening of {@link PanelGemv}: 116–121 against 91–110 GFLOP/s per CPU-second, alternating
     * (CpuTimeBench F16 2048 2048 64 64 1 3). The GEMV keeps the integer widening: there, the same loop (a separate
     * method; inlined into the four-panel kernel C2 did not vectorize it) made the kernel 1.8× faster in cache but
     * ≈ 8 % slower from memory at two threads (16.0 against 17.4 GB/s).
     */
    private static void f16(MemorySegment d, long po, int c0, int m, float[] a) {
        long o = po + 2L * P * c0;
        for (int i = 0, n = m * P; i < n; i++) {
            a[i] = Float.float16ToFloat(d.get(Layouts.SHORT, o + 2L * i));
        }
    }

    /** BF16: the chunk widened exactly (bits h &lt;&lt; 16), in one plain loop as {@link #f16}. */
    private static void bf16(MemorySegment d, long po, int c0, int m, float[] a) {
        long o = po + 2L * P * c0;
        for (int i = 0, n = m * P; i < n; i++) {
            a[i] = Float.intBitsToFloat(d.get(Layouts.SHORT, o + 2L * i) << 16);
        }
    }

    /** Q8_0: a[c·P + i] = q (the scales are applied per block, see {@link #blocks}). */
    private static void q8_0(MemorySegment d, long po, int c0, int m, float[] a) {
        long bb = 34L * P;
        for (int c = 0; c < m; c += 32) {
            long qo = po + ((c0 + c) >>> 5) * bb + 2L * P;
            for (int j = 0; j < 32; j++) {
                ByteVector q = ByteVector.fromMemorySegment(PanelGemv.B2, d, qo + (long) j * P, LE);
                ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).intoArray(a, (c + j) * P);
                ((FloatVector) q.convertShape(VectorOperators.B2F, F, 1)).intoArray(a, (c + j) * P + L);
            }
        }
    }

    /** The 12-token register tile: chunk sums of panel rows × tokens xp[xo + c·12 + j], added to tb[to + j·P ..]. */
    private static void k12(float[] a, int ao, int m, float[] xp, int xo, float[] tb, int to) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c06 = c00, c07 = c00, c08 = c00, c09 = c00, c010 = c00, c011 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00, c16 = c00, c17 = c00, c18 = c00, c19 = c00, c110 = c00, c111 = c00;
        for (int c = 0; c < m; c++) {
            FloatVector w0 = FloatVector.fromArray(F, a, ao + c * P);
            FloatVector w1 = FloatVector.fromArray(F, a, ao + c * P + L);
            int xb = xo + c * 12;
            FloatVector b;
            b = FloatVector.broadcast(F, xp[xb]);
            c00 = w0.fma(b, c00);
            c10 = w1.fma(b, c10);
            b = FloatVector.broadcast(F, xp[xb + 1]);
            c01 = w0.fma(b, c01);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, xp[xb + 2]);
            c02 = w0.fma(b, c02);
            c12 = w1.fma(b, c12);
            b = FloatVector.broadcast(F, xp[xb + 3]);
            c03 = w0.fma(b, c03);
            c13 = w1.fma(b, c13);
            b = FloatVector.broadcast(F, xp[xb + 4]);
            c04 = w0.fma(b, c04);
            c14 = w1.fma(b, c14);
            b = FloatVector.broadcast(F, xp[xb + 5]);
            c05 = w0.fma(b, c05);
            c15 = w1.fma(b, c15);
            b = FloatVector.broadcast(F, xp[xb + 6]);
            c06 = w0.fma(b, c06);
            c16 = w1.fma(b, c16);
            b = FloatVector.broadcast(F, xp[xb + 7]);
            c07 = w0.fma(b, c07);
            c17 = w1.fma(b, c17);
            b = FloatVector.broadcast(F, xp[xb + 8]);
            c08 = w0.fma(b, c08);
            c18 = w1.fma(b, c18);
            b = FloatVector.broadcast(F, xp[xb + 9]);
            c09 = w0.fma(b, c09);
            c19 = w1.fma(b, c19);
            b = FloatVector.broadcast(F, xp[xb + 10]);
            c010 = w0.fma(b, c010);
            c110 = w1.fma(b, c110);
            b = FloatVector.broadcast(F, xp[xb + 11]);
            c011 = w0.fma(b, c011);
            c111 = w1.fma(b, c111);
        }
        FloatVector.fromArray(F, tb, to).add(c00).intoArray(tb, to);
        FloatVector.fromArray(F, tb, to + L).add(c10).intoArray(tb, to + L);
        FloatVector.fromArray(F, tb, to + 1 * P).add(c01).intoArray(tb, to + 1 * P);
        FloatVector.fromArray(F, tb, to + 1 * P + L).add(c11).intoArray(tb, to + 1 * P + L);
        FloatVector.fromArray(F, tb, to + 2 * P).add(c02).intoArray(tb, to + 2 * P);
        FloatVector.fromArray(F, tb, to + 2 * P + L).add(c12).intoArray(tb, to + 2 * P + L);
        FloatVector.fromArray(F, tb, to + 3 * P).add(c03).intoArray(tb, to + 3 * P);
        FloatVector.fromArray(F, tb, to + 3 * P + L).add(c13).intoArray(tb, to + 3 * P + L);
        FloatVector.fromArray(F, tb, to + 4 * P).add(c04).intoArray(tb, to + 4 * P);
        FloatVector.fromArray(F, tb, to + 4 * P + L).add(c14).intoArray(tb, to + 4 * P + L);
        FloatVector.fromArray(F, tb, to + 5 * P).add(c05).intoArray(tb, to + 5 * P);
        FloatVector.fromArray(F, tb, to + 5 * P + L).add(c15).intoArray(tb, to + 5 * P + L);
        FloatVector.fromArray(F, tb, to + 6 * P).add(c06).intoArray(tb, to + 6 * P);
        FloatVector.fromArray(F, tb, to + 6 * P + L).add(c16).intoArray(tb, to + 6 * P + L);
        FloatVector.fromArray(F, tb, to + 7 * P).add(c07).intoArray(tb, to + 7 * P);
        FloatVector.fromArray(F, tb, to + 7 * P + L).add(c17).intoArray(tb, to + 7 * P + L);
        FloatVector.fromArray(F, tb, to + 8 * P).add(c08).intoArray(tb, to + 8 * P);
        FloatVector.fromArray(F, tb, to + 8 * P + L).add(c18).intoArray(tb, to + 8 * P + L);
        FloatVector.fromArray(F, tb, to + 9 * P).add(c09).intoArray(tb, to + 9 * P);
        FloatVector.fromArray(F, tb, to + 9 * P + L).add(c19).intoArray(tb, to + 9 * P + L);
        FloatVector.fromArray(F, tb, to + 10 * P).add(c010).intoArray(tb, to + 10 * P);
        FloatVector.fromArray(F, tb, to + 10 * P + L).add(c110).intoArray(tb, to + 10 * P + L);
        FloatVector.fromArray(F, tb, to + 11 * P).add(c011).intoArray(tb, to + 11 * P);
        FloatVector.fromArray(F, tb, to + 11 * P + L).add(c111).intoArray(tb, to + 11 * P + L);
    }

    /** The 8-token register tile: chunk sums of panel rows × tokens xp[xo + c·8 + j], added to tb[to + j·P ..]. */
    private static void k8(float[] a, int ao, int m, float[] xp, int xo, float[] tb, int to) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c06 = c00, c07 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00, c16 = c00, c17 = c00;
        for (int c = 0; c < m; c++) {
            FloatVector w0 = FloatVector.fromArray(F, a, ao + c * P);
            FloatVector w1 = FloatVector.fromArray(F, a, ao + c * P + L);
            int xb = xo + c * 8;
            FloatVector b;
            b = FloatVector.broadcast(F, xp[xb]);
            c00 = w0.fma(b, c00);
            c10 = w1.fma(b, c10);
            b = FloatVector.broadcast(F, xp[xb + 1]);
            c01 = w0.fma(b, c01);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, xp[xb + 2]);
            c02 = w0.fma(b, c02);
            c12 = w1.fma(b, c12);
            b = FloatVector.broadcast(F, xp[xb + 3]);
            c03 = w0.fma(b, c03);
            c13 = w1.fma(b, c13);
            b = FloatVector.broadcast(F, xp[xb + 4]);
            c04 = w0.fma(b, c04);
            c14 = w1.fma(b, c14);
            b = FloatVector.broadcast(F, xp[xb + 5]);
            c05 = w0.fma(b, c05);
            c15 = w1.fma(b, c15);
            b = FloatVector.broadcast(F, xp[xb + 6]);
            c06 = w0.fma(b, c06);
            c16 = w1.fma(b, c16);
            b = FloatVector.broadcast(F, xp[xb + 7]);
            c07 = w0.fma(b, c07);
            c17 = w1.fma(b, c17);
        }
        FloatVector.fromArray(F, tb, to).add(c00).intoArray(tb, to);
        FloatVector.fromArray(F, tb, to + L).add(c10).intoArray(tb, to + L);
        FloatVector.fromArray(F, tb, to + 1 * P).add(c01).intoArray(tb, to + 1 * P);
        FloatVector.fromArray(F, tb, to + 1 * P + L).add(c11).intoArray(tb, to + 1 * P + L);
        FloatVector.fromArray(F, tb, to + 2 * P).add(c02).intoArray(tb, to + 2 * P);
        FloatVector.fromArray(F, tb, to + 2 * P + L).add(c12).intoArray(tb, to + 2 * P + L);
        FloatVector.fromArray(F, tb, to + 3 * P).add(c03).intoArray(tb, to + 3 * P);
        FloatVector.fromArray(F, tb, to + 3 * P + L).add(c13).intoArray(tb, to + 3 * P + L);
        FloatVector.fromArray(F, tb, to + 4 * P).add(c04).intoArray(tb, to + 4 * P);
        FloatVector.fromArray(F, tb, to + 4 * P + L).add(c14).intoArray(tb, to + 4 * P + L);
        FloatVector.fromArray(F, tb, to + 5 * P).add(c05).intoArray(tb, to + 5 * P);
        FloatVector.fromArray(F, tb, to + 5 * P + L).add(c15).intoArray(tb, to + 5 * P + L);
        FloatVector.fromArray(F, tb, to + 6 * P).add(c06).intoArray(tb, to + 6 * P);
        FloatVector.fromArray(F, tb, to + 6 * P + L).add(c16).intoArray(tb, to + 6 * P + L);
        FloatVector.fromArray(F, tb, to + 7 * P).add(c07).intoArray(tb, to + 7 * P);
        FloatVector.fromArray(F, tb, to + 7 * P + L).add(c17).intoArray(tb, to + 7 * P + L);
    }

    /** The 4-token register tile: chunk sums of panel rows × tokens xp[xo + c·4 + j], added to tb[to + j·P ..]. */
    private static void k4(float[] a, int ao, int m, float[] xp, int xo, float[] tb, int to) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        for (int c = 0; c < m; c++) {
            FloatVector w0 = FloatVector.fromArray(F, a, ao + c * P);
            FloatVector w1 = FloatVector.fromArray(F, a, ao + c * P + L);
            int xb = xo + c * 4;
            FloatVector b;
            b = FloatVector.broadcast(F, xp[xb]);
            c00 = w0.fma(b, c00);
            c10 = w1.fma(b, c10);
            b = FloatVector.broadcast(F, xp[xb + 1]);
            c01 = w0.fma(b, c01);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, xp[xb + 2]);
            c02 = w0.fma(b, c02);
            c12 = w1.fma(b, c12);
            b = FloatVector.broadcast(F, xp[xb + 3]);
            c03 = w0.fma(b, c03);
            c13 = w1.fma(b, c13);
        }
        FloatVector.fromArray(F, tb, to).add(c00).intoArray(tb, to);
        FloatVector.fromArray(F, tb, to + L).add(c10).intoArray(tb, to + L);
        FloatVector.fromArray(F, tb, to + 1 * P).add(c01).intoArray(tb, to + 1 * P);
        FloatVector.fromArray(F, tb, to + 1 * P + L).add(c11).intoArray(tb, to + 1 * P + L);
        FloatVector.fromArray(F, tb, to + 2 * P).add(c02).intoArray(tb, to + 2 * P);
        FloatVector.fromArray(F, tb, to + 2 * P + L).add(c12).intoArray(tb, to + 2 * P + L);
        FloatVector.fromArray(F, tb, to + 3 * P).add(c03).intoArray(tb, to + 3 * P);
        FloatVector.fromArray(F, tb, to + 3 * P + L).add(c13).intoArray(tb, to + 3 * P + L);
    }

    /**
     * The 12-token Q4_0 tile over one block of 32 columns at a[ao ..]: exact sums of (q − 8)·q_x, then
     * tb[to + j·P + i] = fma(sum, d_w[i]·xd[xdo + j·nb], tb[..]); d_w at {@code fo} in the form.
     */
    private static void q12(float[] a, int ao, int n, float[] xp, int xo, float[] tb, int to, MemorySegment d, long fo, float[] xd, int xdo, int nb) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c06 = c00, c07 = c00, c08 = c00, c09 = c00, c010 = c00, c011 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00, c16 = c00, c17 = c00, c18 = c00, c19 = c00, c110 = c00, c111 = c00;
        for (int c = 0; c < n; c++) {
            FloatVector w0 = FloatVector.fromArray(F, a, ao + c * P);
            FloatVector w1 = FloatVector.fromArray(F, a, ao + c * P + L);
            int xb = xo + c * 12;
            FloatVector b;
            b = FloatVector.broadcast(F, xp[xb]);
            c00 = w0.fma(b, c00);
            c10 = w1.fma(b, c10);
            b = FloatVector.broadcast(F, xp[xb + 1]);
            c01 = w0.fma(b, c01);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, xp[xb + 2]);
            c02 = w0.fma(b, c02);
            c12 = w1.fma(b, c12);
            b = FloatVector.broadcast(F, xp[xb + 3]);
            c03 = w0.fma(b, c03);
            c13 = w1.fma(b, c13);
            b = FloatVector.broadcast(F, xp[xb + 4]);
            c04 = w0.fma(b, c04);
            c14 = w1.fma(b, c14);
            b = FloatVector.broadcast(F, xp[xb + 5]);
            c05 = w0.fma(b, c05);
            c15 = w1.fma(b, c15);
            b = FloatVector.broadcast(F, xp[xb + 6]);
            c06 = w0.fma(b, c06);
            c16 = w1.fma(b, c16);
            b = FloatVector.broadcast(F, xp[xb + 7]);
            c07 = w0.fma(b, c07);
            c17 = w1.fma(b, c17);
            b = FloatVector.broadcast(F, xp[xb + 8]);
            c08 = w0.fma(b, c08);
            c18 = w1.fma(b, c18);
            b = FloatVector.broadcast(F, xp[xb + 9]);
            c09 = w0.fma(b, c09);
            c19 = w1.fma(b, c19);
            b = FloatVector.broadcast(F, xp[xb + 10]);
            c010 = w0.fma(b, c010);
            c110 = w1.fma(b, c110);
            b = FloatVector.broadcast(F, xp[xb + 11]);
            c011 = w0.fma(b, c011);
            c111 = w1.fma(b, c111);
        }
        FloatVector d0 = FloatVector.fromMemorySegment(F, d, fo, LE);
        FloatVector d1 = FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE);
        float s;
        s = xd[xdo];
        c00.fma(d0.mul(s), FloatVector.fromArray(F, tb, to)).intoArray(tb, to);
        c10.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + L)).intoArray(tb, to + L);
        s = xd[xdo + 1 * nb];
        c01.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 1 * P)).intoArray(tb, to + 1 * P);
        c11.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 1 * P + L)).intoArray(tb, to + 1 * P + L);
        s = xd[xdo + 2 * nb];
        c02.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 2 * P)).intoArray(tb, to + 2 * P);
        c12.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 2 * P + L)).intoArray(tb, to + 2 * P + L);
        s = xd[xdo + 3 * nb];
        c03.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 3 * P)).intoArray(tb, to + 3 * P);
        c13.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 3 * P + L)).intoArray(tb, to + 3 * P + L);
        s = xd[xdo + 4 * nb];
        c04.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 4 * P)).intoArray(tb, to + 4 * P);
        c14.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 4 * P + L)).intoArray(tb, to + 4 * P + L);
        s = xd[xdo + 5 * nb];
        c05.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 5 * P)).intoArray(tb, to + 5 * P);
        c15.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 5 * P + L)).intoArray(tb, to + 5 * P + L);
        s = xd[xdo + 6 * nb];
        c06.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 6 * P)).intoArray(tb, to + 6 * P);
        c16.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 6 * P + L)).intoArray(tb, to + 6 * P + L);
        s = xd[xdo + 7 * nb];
        c07.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 7 * P)).intoArray(tb, to + 7 * P);
        c17.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 7 * P + L)).intoArray(tb, to + 7 * P + L);
        s = xd[xdo + 8 * nb];
        c08.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 8 * P)).intoArray(tb, to + 8 * P);
        c18.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 8 * P + L)).intoArray(tb, to + 8 * P + L);
        s = xd[xdo + 9 * nb];
        c09.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 9 * P)).intoArray(tb, to + 9 * P);
        c19.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 9 * P + L)).intoArray(tb, to + 9 * P + L);
        s = xd[xdo + 10 * nb];
        c010.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 10 * P)).intoArray(tb, to + 10 * P);
        c110.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 10 * P + L)).intoArray(tb, to + 10 * P + L);
        s = xd[xdo + 11 * nb];
        c011.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 11 * P)).intoArray(tb, to + 11 * P);
        c111.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 11 * P + L)).intoArray(tb, to + 11 * P + L);
    }

    /**
     * The 8-token Q4_0 tile over one block of 32 columns at a[ao ..]: exact sums of (q − 8)·q_x, then
     * tb[to + j·P + i] = fma(sum, d_w[i]·xd[xdo + j·nb], tb[..]); d_w at {@code fo} in the form.
     */
    private static void q8(float[] a, int ao, int n, float[] xp, int xo, float[] tb, int to, MemorySegment d, long fo, float[] xd, int xdo, int nb) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00, c04 = c00, c05 = c00, c06 = c00, c07 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00, c14 = c00, c15 = c00, c16 = c00, c17 = c00;
        for (int c = 0; c < n; c++) {
            FloatVector w0 = FloatVector.fromArray(F, a, ao + c * P);
            FloatVector w1 = FloatVector.fromArray(F, a, ao + c * P + L);
            int xb = xo + c * 8;
            FloatVector b;
            b = FloatVector.broadcast(F, xp[xb]);
            c00 = w0.fma(b, c00);
            c10 = w1.fma(b, c10);
            b = FloatVector.broadcast(F, xp[xb + 1]);
            c01 = w0.fma(b, c01);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, xp[xb + 2]);
            c02 = w0.fma(b, c02);
            c12 = w1.fma(b, c12);
            b = FloatVector.broadcast(F, xp[xb + 3]);
            c03 = w0.fma(b, c03);
            c13 = w1.fma(b, c13);
            b = FloatVector.broadcast(F, xp[xb + 4]);
            c04 = w0.fma(b, c04);
            c14 = w1.fma(b, c14);
            b = FloatVector.broadcast(F, xp[xb + 5]);
            c05 = w0.fma(b, c05);
            c15 = w1.fma(b, c15);
            b = FloatVector.broadcast(F, xp[xb + 6]);
            c06 = w0.fma(b, c06);
            c16 = w1.fma(b, c16);
            b = FloatVector.broadcast(F, xp[xb + 7]);
            c07 = w0.fma(b, c07);
            c17 = w1.fma(b, c17);
        }
        FloatVector d0 = FloatVector.fromMemorySegment(F, d, fo, LE);
        FloatVector d1 = FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE);
        float s;
        s = xd[xdo];
        c00.fma(d0.mul(s), FloatVector.fromArray(F, tb, to)).intoArray(tb, to);
        c10.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + L)).intoArray(tb, to + L);
        s = xd[xdo + 1 * nb];
        c01.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 1 * P)).intoArray(tb, to + 1 * P);
        c11.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 1 * P + L)).intoArray(tb, to + 1 * P + L);
        s = xd[xdo + 2 * nb];
        c02.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 2 * P)).intoArray(tb, to + 2 * P);
        c12.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 2 * P + L)).intoArray(tb, to + 2 * P + L);
        s = xd[xdo + 3 * nb];
        c03.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 3 * P)).intoArray(tb, to + 3 * P);
        c13.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 3 * P + L)).intoArray(tb, to + 3 * P + L);
        s = xd[xdo + 4 * nb];
        c04.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 4 * P)).intoArray(tb, to + 4 * P);
        c14.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 4 * P + L)).intoArray(tb, to + 4 * P + L);
        s = xd[xdo + 5 * nb];
        c05.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 5 * P)).intoArray(tb, to + 5 * P);
        c15.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 5 * P + L)).intoArray(tb, to + 5 * P + L);
        s = xd[xdo + 6 * nb];
        c06.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 6 * P)).intoArray(tb, to + 6 * P);
        c16.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 6 * P + L)).intoArray(tb, to + 6 * P + L);
        s = xd[xdo + 7 * nb];
        c07.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 7 * P)).intoArray(tb, to + 7 * P);
        c17.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 7 * P + L)).intoArray(tb, to + 7 * P + L);
    }

    /**
     * The 4-token Q4_0 tile over one block of 32 columns at a[ao ..]: exact sums of (q − 8)·q_x, then
     * tb[to + j·P + i] = fma(sum, d_w[i]·xd[xdo + j·nb], tb[..]); d_w at {@code fo} in the form.
     */
    private static void q4(float[] a, int ao, int n, float[] xp, int xo, float[] tb, int to, MemorySegment d, long fo, float[] xd, int xdo, int nb) {
        FloatVector c00 = FloatVector.zero(F), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        for (int c = 0; c < n; c++) {
            FloatVector w0 = FloatVector.fromArray(F, a, ao + c * P);
            FloatVector w1 = FloatVector.fromArray(F, a, ao + c * P + L);
            int xb = xo + c * 4;
            FloatVector b;
            b = FloatVector.broadcast(F, xp[xb]);
            c00 = w0.fma(b, c00);
            c10 = w1.fma(b, c10);
            b = FloatVector.broadcast(F, xp[xb + 1]);
            c01 = w0.fma(b, c01);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(F, xp[xb + 2]);
            c02 = w0.fma(b, c02);
            c12 = w1.fma(b, c12);
            b = FloatVector.broadcast(F, xp[xb + 3]);
            c03 = w0.fma(b, c03);
            c13 = w1.fma(b, c13);
        }
        FloatVector d0 = FloatVector.fromMemorySegment(F, d, fo, LE);
        FloatVector d1 = FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE);
        float s;
        s = xd[xdo];
        c00.fma(d0.mul(s), FloatVector.fromArray(F, tb, to)).intoArray(tb, to);
        c10.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + L)).intoArray(tb, to + L);
        s = xd[xdo + 1 * nb];
        c01.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 1 * P)).intoArray(tb, to + 1 * P);
        c11.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 1 * P + L)).intoArray(tb, to + 1 * P + L);
        s = xd[xdo + 2 * nb];
        c02.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 2 * P)).intoArray(tb, to + 2 * P);
        c12.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 2 * P + L)).intoArray(tb, to + 2 * P + L);
        s = xd[xdo + 3 * nb];
        c03.fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 3 * P)).intoArray(tb, to + 3 * P);
        c13.fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 3 * P + L)).intoArray(tb, to + 3 * P + L);
    }
}
