package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.PanelGemv.SP;
import static io.llmopt.tensor.kernel.PanelGemv.K10;
import static io.llmopt.tensor.kernel.PanelGemv.K12;
import static io.llmopt.tensor.kernel.PanelGemv.K14;
import static io.llmopt.tensor.kernel.PanelGemv.K4;
import static io.llmopt.tensor.kernel.PanelGemv.K6;
import static io.llmopt.tensor.kernel.PanelGemv.K8;
import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.I;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.LE;

import io.llmopt.tensor.ColumnPanels;
import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The K-quant kernels of the {@link ColumnPanels} form, both on 8-bit activations ({@link Q8Activations}) as the
 * form defines for them: the decode GEMVs (Q4_K over four panels, Q2_K, Q3_K, Q5_K and Q6_K over two) sum q (less its offset) times q_x
 * exactly in 16-bit lanes and scale per sub-block; the GEMM's chunk decoders write q − 8 or q − 32 as floats
 * ({@link PanelGemm}: a chunk of 128 columns is half a super-block, decoded into a[c·P + i]) followed by each
 * sub-block's scaling, which {@link PanelGemm} applies per block exactly as the GEMV does.
 *
 * <p>Written out in full: no helper takes or returns a vector (C2 would box it once the kernel's graph is
 * large), and every shift count is a constant.
 */
final class PanelKQuants {
    static final int P = PanelGemv.P;
    static final int CHUNK = ColumnPanels.CHUNK;
    /** 2L bytes: the P rows' byte scales of one sub-block, widened as two parts of L floats. */
    private static final jdk.incubator.vector.VectorSpecies<Byte> B2 = PanelGemv.B2;
    /** The two top bits of a 16-bit lane: where a Q6_K group's third word supplies the high bits of columns 6 and 7. */
    private static final short HI2 = (short) 0xC000;
    /** 8 in every lane (Q4_K's 8·ds), a constant rather than a broadcast per use. */
    private static final FloatVector EIGHT = FloatVector.broadcast(F, 8f);

    /** How each kernel prefetches ({@link Prefetch#level}); {@link #q5_0x2} takes Q5_0's or Q5_1's by its form. */
    private static final int PF_Q2_K = Prefetch.level(GgmlType.Q2_K), PF_Q3_K = Prefetch.level(GgmlType.Q3_K), PF_Q4_1 = Prefetch.level(GgmlType.Q4_1),
            PF_Q4_K = Prefetch.level(GgmlType.Q4_K), PF_Q5_0 = Prefetch.level(GgmlType.Q5_0), PF_Q5_1 = Prefetch.level(GgmlType.Q5_1),
            PF_Q5_K = Prefetch.level(GgmlType.Q5_K), PF_Q6_K = Prefetch.level(GgmlType.Q6_K);

    private PanelKQuants() {
    }

    /**
     * Q4_K over four panels at p0 … p3 (super-blocks of bb bytes), in 16-bit integers as {@link PanelGemv}'s Q4_0:
     * per 32-column sub-block and panel, a = Σ (q − 8)·q_x exactly in P short lanes, then t = fma(a, ds·d_x, t) and
     * t = fma(8·ds + mn, (Σ q_x)·d_x, t) with ds = d·sc and mn = (−dmin)·m widened from the sub-block's bytes:
     * the form's Q4_K arithmetic ({@link ColumnPanels}). xq, xd, xs: the activations as {@link Q8Activations}
     * quantizes them, with their block sums.
     */
    static void q4_Kx4(MemorySegment d, long p0, long p1, long p2, long p3, long bb, int cols, short[] xq, float[] xd, float[] xs, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0, t4 = t0, t5 = t0, t6 = t0, t7 = t0;
        long step = bb >>> 3;
        for (int b = 0; b < cols >>> 5; b++) {
            long sb = (b >>> 3) * bb;
            int s = b & 7;
            long f0 = p0 + sb, f1 = p1 + sb, f2 = p2 + sb, f3 = p3 + sb;
            Prefetch.ahead4(PF_Q4_K, d, p0 + b * step, p1 + b * step, p2 + b * step, p3 + b * step, step); // the bytes Prefetch.BYTES ahead of this step's share of each panel
            ShortVector a0 = ShortVector.zero(SP), a1 = a0, a2 = a0, a3 = a0;
            for (int k = 0; k < 8; k++) {
                long wo = 24L * P + 2L * P * (8 * s + k);
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
            FloatVector sx = FloatVector.broadcast(F, xd[b]); // broadcast once: C1 inlines each mul(float) in full
            FloatVector bv = FloatVector.broadcast(F, xs[b]);
            ByteVector sc, mb;
            FloatVector ds, mn;
            sc = ByteVector.fromMemorySegment(B2, d, f0 + 8L * P + (long) s * P, LE);
            mb = ByteVector.fromMemorySegment(B2, d, f0 + 16L * P + (long) s * P, LE);
            ds = FloatVector.fromMemorySegment(F, d, f0, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0));
            mn = FloatVector.fromMemorySegment(F, d, f0 + 4L * P, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 0));
            t0 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t0);
            t0 = ds.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t0);
            ds = FloatVector.fromMemorySegment(F, d, f0 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1));
            mn = FloatVector.fromMemorySegment(F, d, f0 + 4L * P + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 1));
            t1 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t1);
            t1 = ds.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t1);
            sc = ByteVector.fromMemorySegment(B2, d, f1 + 8L * P + (long) s * P, LE);
            mb = ByteVector.fromMemorySegment(B2, d, f1 + 16L * P + (long) s * P, LE);
            ds = FloatVector.fromMemorySegment(F, d, f1, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0));
            mn = FloatVector.fromMemorySegment(F, d, f1 + 4L * P, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 0));
            t2 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t2);
            t2 = ds.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t2);
            ds = FloatVector.fromMemorySegment(F, d, f1 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1));
            mn = FloatVector.fromMemorySegment(F, d, f1 + 4L * P + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 1));
            t3 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t3);
            t3 = ds.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t3);
            sc = ByteVector.fromMemorySegment(B2, d, f2 + 8L * P + (long) s * P, LE);
            mb = ByteVector.fromMemorySegment(B2, d, f2 + 16L * P + (long) s * P, LE);
            ds = FloatVector.fromMemorySegment(F, d, f2, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0));
            mn = FloatVector.fromMemorySegment(F, d, f2 + 4L * P, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 0));
            t4 = ((FloatVector) a2.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t4);
            t4 = ds.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t4);
            ds = FloatVector.fromMemorySegment(F, d, f2 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1));
            mn = FloatVector.fromMemorySegment(F, d, f2 + 4L * P + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 1));
            t5 = ((FloatVector) a2.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t5);
            t5 = ds.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t5);
            sc = ByteVector.fromMemorySegment(B2, d, f3 + 8L * P + (long) s * P, LE);
            mb = ByteVector.fromMemorySegment(B2, d, f3 + 16L * P + (long) s * P, LE);
            ds = FloatVector.fromMemorySegment(F, d, f3, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0));
            mn = FloatVector.fromMemorySegment(F, d, f3 + 4L * P, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 0));
            t6 = ((FloatVector) a3.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t6);
            t6 = ds.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t6);
            ds = FloatVector.fromMemorySegment(F, d, f3 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1));
            mn = FloatVector.fromMemorySegment(F, d, f3 + 4L * P + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 1));
            t7 = ((FloatVector) a3.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t7);
            t7 = ds.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t7);
        }
        // not through Simd.ZERO like the other kernels: this method's tier-3 C1 compile is near C1's register limit
        // (230 KB of code); with those stores it failed ("out of virtual registers") in 6 of 6 JVMs, which leaves the
        // kernel in C1 code for good (0.2 GB/s). Broadcasting sx once and the constant EIGHT took it from 235 to 230 KB.
        t0.intoArray(res, 0);
        t1.intoArray(res, L);
        t2.intoArray(res, 2 * L);
        t3.intoArray(res, 3 * L);
        t4.intoArray(res, 4 * L);
        t5.intoArray(res, 5 * L);
        t6.intoArray(res, 6 * L);
        t7.intoArray(res, 7 * L);
    }

    /** Shift counts of the Q5_K words as vectors (see {@link PanelGemv#K12}). */
    private static final ShortVector K5 = ShortVector.broadcast(SP, (short) 5), K11 = ShortVector.broadcast(SP, (short) 11),
            K13 = ShortVector.broadcast(SP, (short) 13), K15 = ShortVector.broadcast(SP, (short) 15);
    /**
     * Single bits 11 … 14 of a 16-bit lane as vectors: the high bits a five-bit group gathers from its words. A scalar
     * operand would go through {@code ShortVector.lanewise(op, short)}, whose shift branch C2 kept as a call in one
     * compile of {@link #q5_0x2} (JitHazards, session 22).
     */
    private static final ShortVector B11 = ShortVector.broadcast(SP, (short) 0x0800), B12 = ShortVector.broadcast(SP, (short) 0x1000),
            B13 = ShortVector.broadcast(SP, (short) 0x2000), B14 = ShortVector.broadcast(SP, (short) 0x4000);
    /** Shift count 2 (Q2_K's words). */
    private static final ShortVector K2 = ShortVector.broadcast(SP, (short) 2);
    /** 2 in every lane (Q2_K's 2·ds). */
    private static final FloatVector TWO = FloatVector.broadcast(F, 2f);
    /** Shift counts of the Q3_K words. */
    private static final ShortVector K3 = ShortVector.broadcast(SP, (short) 3), K9 = ShortVector.broadcast(SP, (short) 9);
    /** 16 in every lane (Q5_K's 16·ds). */
    private static final FloatVector SIXTEEN = FloatVector.broadcast(F, 16f);

    /**
     * Q2_K over two panels at p0, p1 (super-blocks of bb bytes), in 16-bit integers: per 16-column sub-block and
     * panel, a = Σ (q − 2)·q_x exactly in P short lanes (|a| ≤ 4064; q − 2 comes out of the group's two words with at
     * most a shift left and an arithmetic shift right by 14), then t = fma(a, ds·d_x, t) and t = fma(2·ds + mn,
     * (Σ q_x)·d_x, t) with the activations' sum over the 16 columns: the form's Q2_K arithmetic ({@link ColumnPanels}).
     */
    static void q2_Kx2(MemorySegment d, long p0, long p1, long bb, int cols, short[] xq, float[] xd, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
        long step = bb >>> 4;
        for (int j = 0; j < cols >>> 4; j++) {
            long sb = (j >>> 4) * bb;
            int s = j & 15;
            long f0 = p0 + sb, f1 = p1 + sb;
            Prefetch.ahead2(PF_Q2_K, d, p0 + j * step, p1 + j * step, step); // the bytes Prefetch.BYTES ahead of this step's share of each panel
            long go = 24L * P + 4L * P * s;
            ShortVector u00 = ShortVector.fromMemorySegment(SP, d, f0 + go, LE);
            ShortVector u01 = ShortVector.fromMemorySegment(SP, d, f0 + go + 2L * P, LE);
            ShortVector u10 = ShortVector.fromMemorySegment(SP, d, f1 + go, LE);
            ShortVector u11 = ShortVector.fromMemorySegment(SP, d, f1 + go + 2L * P, LE);
            ShortVector a0 = ShortVector.zero(SP), a1 = a0;
            ShortVector bx;
            int sum = 0;
            sum += xq[16 * j + 0];
            bx = ShortVector.broadcast(SP, xq[16 * j]);
            a0 = u00.lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 1];
            bx = ShortVector.broadcast(SP, xq[16 * j + 1]);
            a0 = u00.lanewise(VectorOperators.LSHL, K2).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K2).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 2];
            bx = ShortVector.broadcast(SP, xq[16 * j + 2]);
            a0 = u00.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 3];
            bx = ShortVector.broadcast(SP, xq[16 * j + 3]);
            a0 = u00.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 4];
            bx = ShortVector.broadcast(SP, xq[16 * j + 4]);
            a0 = u00.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 5];
            bx = ShortVector.broadcast(SP, xq[16 * j + 5]);
            a0 = u00.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 6];
            bx = ShortVector.broadcast(SP, xq[16 * j + 6]);
            a0 = u00.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 7];
            bx = ShortVector.broadcast(SP, xq[16 * j + 7]);
            a0 = u00.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 8];
            bx = ShortVector.broadcast(SP, xq[16 * j + 8]);
            a0 = u01.lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 9];
            bx = ShortVector.broadcast(SP, xq[16 * j + 9]);
            a0 = u01.lanewise(VectorOperators.LSHL, K2).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K2).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 10];
            bx = ShortVector.broadcast(SP, xq[16 * j + 10]);
            a0 = u01.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 11];
            bx = ShortVector.broadcast(SP, xq[16 * j + 11]);
            a0 = u01.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 12];
            bx = ShortVector.broadcast(SP, xq[16 * j + 12]);
            a0 = u01.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 13];
            bx = ShortVector.broadcast(SP, xq[16 * j + 13]);
            a0 = u01.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 14];
            bx = ShortVector.broadcast(SP, xq[16 * j + 14]);
            a0 = u01.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            sum += xq[16 * j + 15];
            bx = ShortVector.broadcast(SP, xq[16 * j + 15]);
            a0 = u01.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.ASHR, K14).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            FloatVector sx = FloatVector.broadcast(F, xd[j >>> 1]);
            FloatVector bv = FloatVector.broadcast(F, sum * xd[j >>> 1]);
            ByteVector sm, sc, mb;
            FloatVector ds, mn;
            sm = ByteVector.fromMemorySegment(B2, d, f0 + 8L * P + (long) s * P, LE);
            sc = sm.lanewise(VectorOperators.AND, (byte) 15);
            mb = sm.lanewise(VectorOperators.LSHR, 4);
            ds = FloatVector.fromMemorySegment(F, d, f0, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0));
            mn = FloatVector.fromMemorySegment(F, d, f0 + 4L * P, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 0));
            t0 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t0);
            t0 = ds.lanewise(VectorOperators.MUL, TWO).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t0);
            ds = FloatVector.fromMemorySegment(F, d, f0 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1));
            mn = FloatVector.fromMemorySegment(F, d, f0 + 4L * P + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 1));
            t1 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t1);
            t1 = ds.lanewise(VectorOperators.MUL, TWO).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t1);
            sm = ByteVector.fromMemorySegment(B2, d, f1 + 8L * P + (long) s * P, LE);
            sc = sm.lanewise(VectorOperators.AND, (byte) 15);
            mb = sm.lanewise(VectorOperators.LSHR, 4);
            ds = FloatVector.fromMemorySegment(F, d, f1, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0));
            mn = FloatVector.fromMemorySegment(F, d, f1 + 4L * P, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 0));
            t2 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t2);
            t2 = ds.lanewise(VectorOperators.MUL, TWO).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t2);
            ds = FloatVector.fromMemorySegment(F, d, f1 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1));
            mn = FloatVector.fromMemorySegment(F, d, f1 + 4L * P + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 1));
            t3 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t3);
            t3 = ds.lanewise(VectorOperators.MUL, TWO).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t3);
        }
        Simd.ZERO.lanewise(VectorOperators.ADD, t0).intoArray(res, 0); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.lanewise(VectorOperators.ADD, t1).intoArray(res, L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t2).intoArray(res, 2 * L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t3).intoArray(res, 3 * L);
    }

    /**
     * Q2_K chunk [c0, c0 + 128) of the panel at po (super-blocks of bb bytes): a[c·P + i] = q − 2 (extracted as
     * {@link #q2_Kx2} does), and for the chunk's sub-block j &lt; 8 the P floats ds = d·sc at a[(128 + 2j)·P ..] and
     * 2·ds + mn at a[(129 + 2j)·P ..].
     */
    static void decodeQ2_K(MemorySegment d, long po, long bb, int c0, float[] a) {
        long fo = po + (c0 >>> 8) * bb;
        int s0 = (c0 >>> 4) & 15;
        for (int s = s0; s < s0 + 8; s++) {
            ByteVector sm = ByteVector.fromMemorySegment(B2, d, fo + 8L * P + (long) s * P, LE);
            ByteVector sc = sm.lanewise(VectorOperators.AND, (byte) 15), mb = sm.lanewise(VectorOperators.LSHR, 4);
            int so = (CHUNK + 2 * (s - s0)) * P;
            FloatVector ds = FloatVector.fromMemorySegment(F, d, fo, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0));
            FloatVector mn = FloatVector.fromMemorySegment(F, d, fo + 4L * P, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 0));
            ds.intoArray(a, so);
            ds.lanewise(VectorOperators.MUL, TWO).lanewise(VectorOperators.ADD, mn).intoArray(a, so + P);
            ds = FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1));
            mn = FloatVector.fromMemorySegment(F, d, fo + 4L * P + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 1));
            ds.intoArray(a, so + L);
            ds.lanewise(VectorOperators.MUL, TWO).lanewise(VectorOperators.ADD, mn).intoArray(a, so + P + L);
            long go = fo + 24L * P + 4L * P * s;
            int ao = 16 * (s - s0) * P;
            ShortVector u0 = ShortVector.fromMemorySegment(SP, d, go, LE);
            ShortVector u1 = ShortVector.fromMemorySegment(SP, d, go + 2L * P, LE);
            ShortVector v;
            v = u0.lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 0 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 0 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K2).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 1 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 1 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 2 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 2 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 3 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 3 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 4 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 4 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 5 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 5 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 6 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 6 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 7 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 7 * P + L);
            v = u1.lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 8 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 8 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K2).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 9 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 9 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 10 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 10 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 11 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 11 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 12 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 12 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 13 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 13 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 14 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 14 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.ASHR, K14);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 15 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 15 * P + L);
        }
    }

    /**
     * Q3_K over two panels at p0, p1 (super-blocks of bb bytes), in 16-bit integers: per 16-column sub-block and
     * panel, a = Σ q·q_x exactly in P short lanes (|a| ≤ 8128; q of columns 0–14 comes out of the group's three
     * words with at most a shift left and an arithmetic shift right by 13, column 15's from the words' low bits),
     * then t = fma(a, (d·sc)·d_x, t): the form's Q3_K arithmetic ({@link ColumnPanels}), Q6_K's with one word group.
     */
    static void q3_Kx2(MemorySegment d, long p0, long p1, long bb, int cols, short[] xq, float[] xd, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
        long step = bb >>> 4;
        for (int j = 0; j < cols >>> 4; j++) {
            long sb = (j >>> 4) * bb;
            int s = j & 15;
            long f0 = p0 + sb, f1 = p1 + sb;
            Prefetch.ahead2(PF_Q3_K, d, p0 + j * step, p1 + j * step, step); // the bytes Prefetch.BYTES ahead of this step's share of each panel
            long go = 20L * P + 6L * P * s;
            ShortVector u00 = ShortVector.fromMemorySegment(SP, d, f0 + go, LE);
            ShortVector u01 = ShortVector.fromMemorySegment(SP, d, f0 + go + 2L * P, LE);
            ShortVector u02 = ShortVector.fromMemorySegment(SP, d, f0 + go + 4L * P, LE);
            ShortVector u10 = ShortVector.fromMemorySegment(SP, d, f1 + go, LE);
            ShortVector u11 = ShortVector.fromMemorySegment(SP, d, f1 + go + 2L * P, LE);
            ShortVector u12 = ShortVector.fromMemorySegment(SP, d, f1 + go + 4L * P, LE);
            ShortVector a0 = ShortVector.zero(SP), a1 = a0;
            ShortVector bx;
            bx = ShortVector.broadcast(SP, xq[16 * j]);
            a0 = u00.lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 1]);
            a0 = u00.lanewise(VectorOperators.LSHL, K3).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K3).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 2]);
            a0 = u00.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 3]);
            a0 = u00.lanewise(VectorOperators.LSHL, K9).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K9).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 4]);
            a0 = u00.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 5]);
            a0 = u01.lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 6]);
            a0 = u01.lanewise(VectorOperators.LSHL, K3).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K3).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 7]);
            a0 = u01.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 8]);
            a0 = u01.lanewise(VectorOperators.LSHL, K9).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K9).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 9]);
            a0 = u01.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u11.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 10]);
            a0 = u02.lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u12.lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 11]);
            a0 = u02.lanewise(VectorOperators.LSHL, K3).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u12.lanewise(VectorOperators.LSHL, K3).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 12]);
            a0 = u02.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u12.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 13]);
            a0 = u02.lanewise(VectorOperators.LSHL, K9).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u12.lanewise(VectorOperators.LSHL, K9).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 14]);
            a0 = u02.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u12.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            bx = ShortVector.broadcast(SP, xq[16 * j + 15]);
            a0 = u00.lanewise(VectorOperators.LSHL, K13).lanewise(VectorOperators.AND, B13).lanewise(VectorOperators.OR, u01.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.AND, B14)).lanewise(VectorOperators.OR, u02.lanewise(VectorOperators.LSHL, K15)).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
            a1 = u10.lanewise(VectorOperators.LSHL, K13).lanewise(VectorOperators.AND, B13).lanewise(VectorOperators.OR, u11.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.AND, B14)).lanewise(VectorOperators.OR, u12.lanewise(VectorOperators.LSHL, K15)).lanewise(VectorOperators.ASHR, K13).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            float sx = xd[j >>> 1];
            ByteVector sc0 = ByteVector.fromMemorySegment(B2, d, f0 + 4L * P + (long) s * P, LE);
            ByteVector sc1 = ByteVector.fromMemorySegment(B2, d, f1 + 4L * P + (long) s * P, LE);
            FloatVector ds;
            ds = FloatVector.fromMemorySegment(F, d, f0, LE).lanewise(VectorOperators.MUL, (FloatVector) sc0.convertShape(VectorOperators.B2F, F, 0)).lanewise(VectorOperators.MUL, sx);
            t0 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, ds, t0);
            ds = FloatVector.fromMemorySegment(F, d, f0 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc0.convertShape(VectorOperators.B2F, F, 1)).lanewise(VectorOperators.MUL, sx);
            t1 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, ds, t1);
            ds = FloatVector.fromMemorySegment(F, d, f1, LE).lanewise(VectorOperators.MUL, (FloatVector) sc1.convertShape(VectorOperators.B2F, F, 0)).lanewise(VectorOperators.MUL, sx);
            t2 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, ds, t2);
            ds = FloatVector.fromMemorySegment(F, d, f1 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc1.convertShape(VectorOperators.B2F, F, 1)).lanewise(VectorOperators.MUL, sx);
            t3 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, ds, t3);
        }
        Simd.ZERO.lanewise(VectorOperators.ADD, t0).intoArray(res, 0); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.lanewise(VectorOperators.ADD, t1).intoArray(res, L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t2).intoArray(res, 2 * L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t3).intoArray(res, 3 * L);
    }

    /**
     * Q3_K chunk [c0, c0 + 128) of the panel at po (super-blocks of bb bytes): a[c·P + i] = q (extracted as
     * {@link #q3_Kx2} does), and for the chunk's sub-block j &lt; 8 the P floats d·sc at a[(128 + j)·P ..] (the
     * GEMM's per-sub-block scaling, as {@link #decodeQ6_K}).
     */
    static void decodeQ3_K(MemorySegment d, long po, long bb, int c0, float[] a) {
        long fo = po + (c0 >>> 8) * bb;
        int s0 = (c0 >>> 4) & 15;
        for (int s = s0; s < s0 + 8; s++) {
            ByteVector sc = ByteVector.fromMemorySegment(B2, d, fo + 4L * P + (long) s * P, LE);
            int so = (CHUNK + s - s0) * P;
            FloatVector.fromMemorySegment(F, d, fo, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0)).intoArray(a, so);
            FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1)).intoArray(a, so + L);
            long go = fo + 20L * P + 6L * P * s;
            int ao = 16 * (s - s0) * P;
            ShortVector u0 = ShortVector.fromMemorySegment(SP, d, go, LE);
            ShortVector u1 = ShortVector.fromMemorySegment(SP, d, go + 2L * P, LE);
            ShortVector u2 = ShortVector.fromMemorySegment(SP, d, go + 4L * P, LE);
            ShortVector v;
            v = u0.lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 0 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 0 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K3).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 1 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 1 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 2 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 2 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K9).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 3 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 3 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 4 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 4 * P + L);
            v = u1.lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 5 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 5 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K3).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 6 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 6 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 7 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 7 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K9).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 8 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 8 * P + L);
            v = u1.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 9 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 9 * P + L);
            v = u2.lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 10 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 10 * P + L);
            v = u2.lanewise(VectorOperators.LSHL, K3).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 11 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 11 * P + L);
            v = u2.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 12 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 12 * P + L);
            v = u2.lanewise(VectorOperators.LSHL, K9).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 13 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 13 * P + L);
            v = u2.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 14 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 14 * P + L);
            v = u0.lanewise(VectorOperators.LSHL, K13).lanewise(VectorOperators.AND, B13).lanewise(VectorOperators.OR, u1.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.AND, B14)).lanewise(VectorOperators.OR, u2.lanewise(VectorOperators.LSHL, K15)).lanewise(VectorOperators.ASHR, K13);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 15 * P);
            ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 15 * P + L);
        }
    }

    /**
     * Q5_K over two panels at p0, p1 (super-blocks of bb bytes), in 16-bit integers: per 16-column group and panel,
     * a = Σ (q − 16)·q_x exactly in P short lanes (|a| ≤ 32512; q − 16 of columns 0–14 comes out of the group's
     * five words with at most a shift left and an arithmetic shift right by 11, column 15's from the words' low bits),
     * the two groups of a 32-column sub-block added as floats (exact: 0 + a_lo + a_hi), then t = fma(s, ds·d_x, t)
     * and t = fma(16·ds + mn, (Σ q_x)·d_x, t): the form's Q5_K arithmetic ({@link ColumnPanels}). The two groups
     * are a loop, not written out: written out, the method's tier-3 C1 compile ran out of virtual registers.
     */
    static void q5_Kx2(MemorySegment d, long p0, long p1, long bb, int cols, short[] xq, float[] xd, float[] xs, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
        long step = bb >>> 3;
        for (int b = 0; b < cols >>> 5; b++) {
            long sb = (b >>> 3) * bb;
            int s = b & 7;
            long f0 = p0 + sb, f1 = p1 + sb;
            Prefetch.ahead2(PF_Q5_K, d, p0 + b * step, p1 + b * step, step); // the bytes Prefetch.BYTES ahead of this step's share of each panel
            FloatVector s00 = FloatVector.zero(F), s01 = s00, s10 = s00, s11 = s00;
            for (int h = 0; h < 2; h++) {
                long go = 24L * P + 10L * P * (2 * s + h);
                int c = 32 * b + 16 * h;
                ShortVector u00 = ShortVector.fromMemorySegment(SP, d, f0 + go, LE);
                ShortVector u01 = ShortVector.fromMemorySegment(SP, d, f0 + go + 2L * P, LE);
                ShortVector u02 = ShortVector.fromMemorySegment(SP, d, f0 + go + 4L * P, LE);
                ShortVector u03 = ShortVector.fromMemorySegment(SP, d, f0 + go + 6L * P, LE);
                ShortVector u04 = ShortVector.fromMemorySegment(SP, d, f0 + go + 8L * P, LE);
                ShortVector u10 = ShortVector.fromMemorySegment(SP, d, f1 + go, LE);
                ShortVector u11 = ShortVector.fromMemorySegment(SP, d, f1 + go + 2L * P, LE);
                ShortVector u12 = ShortVector.fromMemorySegment(SP, d, f1 + go + 4L * P, LE);
                ShortVector u13 = ShortVector.fromMemorySegment(SP, d, f1 + go + 6L * P, LE);
                ShortVector u14 = ShortVector.fromMemorySegment(SP, d, f1 + go + 8L * P, LE);
                ShortVector a0 = ShortVector.zero(SP), a1 = a0;
                ShortVector bx;
                bx = ShortVector.broadcast(SP, xq[c]);
                a0 = u00.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 1]);
                a0 = u00.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 2]);
                a0 = u00.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 3]);
                a0 = u01.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u11.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 4]);
                a0 = u01.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u11.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 5]);
                a0 = u01.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u11.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 6]);
                a0 = u02.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u12.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 7]);
                a0 = u02.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u12.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 8]);
                a0 = u02.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u12.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 9]);
                a0 = u03.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u13.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 10]);
                a0 = u03.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u13.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 11]);
                a0 = u03.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u13.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 12]);
                a0 = u04.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u14.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 13]);
                a0 = u04.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u14.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 14]);
                a0 = u04.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u14.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 15]);
                a0 = u00.lanewise(VectorOperators.LSHL, K11).lanewise(VectorOperators.AND, B11).lanewise(VectorOperators.OR, u01.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.AND, B12))
                        .lanewise(VectorOperators.OR, u02.lanewise(VectorOperators.LSHL, K13).lanewise(VectorOperators.AND, B13)).lanewise(VectorOperators.OR, u03.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.AND, B14))
                        .lanewise(VectorOperators.OR, u04.lanewise(VectorOperators.LSHL, K15)).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.LSHL, K11).lanewise(VectorOperators.AND, B11).lanewise(VectorOperators.OR, u11.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.AND, B12))
                        .lanewise(VectorOperators.OR, u12.lanewise(VectorOperators.LSHL, K13).lanewise(VectorOperators.AND, B13)).lanewise(VectorOperators.OR, u13.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.AND, B14))
                        .lanewise(VectorOperators.OR, u14.lanewise(VectorOperators.LSHL, K15)).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                s00 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.ADD, s00);
                s01 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.ADD, s01);
                s10 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.ADD, s10);
                s11 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.ADD, s11);
            }
            FloatVector sx = FloatVector.broadcast(F, xd[b]);
            FloatVector bv = FloatVector.broadcast(F, xs[b]);
            ByteVector sc, mb;
            FloatVector ds, mn;
            sc = ByteVector.fromMemorySegment(B2, d, f0 + 8L * P + (long) s * P, LE);
            mb = ByteVector.fromMemorySegment(B2, d, f0 + 16L * P + (long) s * P, LE);
            ds = FloatVector.fromMemorySegment(F, d, f0, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0));
            mn = FloatVector.fromMemorySegment(F, d, f0 + 4L * P, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 0));
            t0 = s00.lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t0);
            t0 = ds.lanewise(VectorOperators.MUL, SIXTEEN).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t0);
            ds = FloatVector.fromMemorySegment(F, d, f0 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1));
            mn = FloatVector.fromMemorySegment(F, d, f0 + 4L * P + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 1));
            t1 = s01.lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t1);
            t1 = ds.lanewise(VectorOperators.MUL, SIXTEEN).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t1);
            sc = ByteVector.fromMemorySegment(B2, d, f1 + 8L * P + (long) s * P, LE);
            mb = ByteVector.fromMemorySegment(B2, d, f1 + 16L * P + (long) s * P, LE);
            ds = FloatVector.fromMemorySegment(F, d, f1, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0));
            mn = FloatVector.fromMemorySegment(F, d, f1 + 4L * P, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 0));
            t2 = s10.lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t2);
            t2 = ds.lanewise(VectorOperators.MUL, SIXTEEN).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t2);
            ds = FloatVector.fromMemorySegment(F, d, f1 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1));
            mn = FloatVector.fromMemorySegment(F, d, f1 + 4L * P + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 1));
            t3 = s11.lanewise(VectorOperators.FMA, ds.lanewise(VectorOperators.MUL, sx), t3);
            t3 = ds.lanewise(VectorOperators.MUL, SIXTEEN).lanewise(VectorOperators.ADD, mn).lanewise(VectorOperators.FMA, bv, t3);
        }
        Simd.ZERO.lanewise(VectorOperators.ADD, t0).intoArray(res, 0); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.lanewise(VectorOperators.ADD, t1).intoArray(res, L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t2).intoArray(res, 2 * L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t3).intoArray(res, 3 * L);
    }

    /**
     * Q5_0 ({@code legacy} {@link #Q5_0}) or Q5_1 ({@link #Q5_1}) over two panels at p0, p1 (blocks of 32 columns and
     * bb bytes: P fp16 scales d, for Q5_1 then P fp16 minimums m, then the two 16-column groups of {@link #q5_Kx2}),
     * in 16-bit integers as {@link #q5_Kx2}: t = fma(s, d·d_x, t), for Q5_1 then t = fma(16·d + m, (Σ q_x)·d_x, t), the
     * form's Q5_0 / Q5_1 arithmetic (Q5_1 is Q5_K with ds = d and mn = m). A method of its own: with these block
     * forms as branches inside {@link #q5_Kx2}, the Q5_0 and Q5_K GEMVs ran at 0.2 GB/s (CpuTimeBench, one type per
     * JVM), a JIT cliff like those in BENCHMARKS.
     */
    /**
     * Q4_1 over two panels at p0, p1 (blocks of 32 columns and bb bytes: P fp16 scales d, P fp16 minimums m, then eight
     * words of four nibbles q xor 8 as Q4_0), in 16-bit integers: per block and panel a = Σ (q − 8)·q_x exactly in P
     * short lanes (|a| ≤ 32512, as Q4_0), then t = fma(a, d·d_x, t) and t = fma(8·d + m, (Σ q_x)·d_x, t): the form's
     * Q4_1 arithmetic (Q4_K's with ds = d and mn = m). The eight words are a loop.
     */
    static void q4_1x2(MemorySegment d, long p0, long p1, long bb, int cols, short[] xq, float[] xd, float[] xs, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
        for (int b = 0; b < cols >>> 5; b++) {
            long f0 = p0 + b * bb, f1 = p1 + b * bb;
            Prefetch.ahead2(PF_Q4_1, d, f0, f1, bb); // each panel's block Prefetch.BYTES ahead
            ShortVector a0 = ShortVector.zero(SP), a1 = a0;
            for (int k = 0; k < 8; k++) {
                long wo = 4L * P + 2L * P * k;
                ShortVector v0 = ShortVector.fromMemorySegment(SP, d, f0 + wo, LE);
                ShortVector v1 = ShortVector.fromMemorySegment(SP, d, f1 + wo, LE);
                int c = 32 * b + 4 * k;
                ShortVector bx;
                bx = ShortVector.broadcast(SP, xq[c]);
                a0 = v0.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = v1.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 1]);
                a0 = v0.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = v1.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 2]);
                a0 = v0.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = v1.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 3]);
                a0 = v0.lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = v1.lanewise(VectorOperators.ASHR, K12).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            }
            FloatVector sx = FloatVector.broadcast(F, xd[b]);
            FloatVector bv = FloatVector.broadcast(F, xs[b]);
            ShortVector h = ShortVector.fromMemorySegment(SP, d, f0, LE), hm = ShortVector.fromMemorySegment(SP, d, f0 + 2L * P, LE);
            FloatVector d0 = ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, 0x8FFFFFFF)
                    .reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f);
            FloatVector d1 = ((IntVector) h.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, 0x8FFFFFFF)
                    .reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f);
            t0 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, d0.lanewise(VectorOperators.MUL, sx), t0);
            t1 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, d1.lanewise(VectorOperators.MUL, sx), t1);
            t0 = d0.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, ((IntVector) hm.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .lanewise(VectorOperators.AND, 0x8FFFFFFF).reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f)).lanewise(VectorOperators.FMA, bv, t0);
            t1 = d1.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, ((IntVector) hm.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13)
                    .lanewise(VectorOperators.AND, 0x8FFFFFFF).reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f)).lanewise(VectorOperators.FMA, bv, t1);
            h = ShortVector.fromMemorySegment(SP, d, f1, LE);
            hm = ShortVector.fromMemorySegment(SP, d, f1 + 2L * P, LE);
            d0 = ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, 0x8FFFFFFF)
                    .reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f);
            d1 = ((IntVector) h.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, 0x8FFFFFFF)
                    .reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f);
            t2 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, d0.lanewise(VectorOperators.MUL, sx), t2);
            t3 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, d1.lanewise(VectorOperators.MUL, sx), t3);
            t2 = d0.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, ((IntVector) hm.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13)
                    .lanewise(VectorOperators.AND, 0x8FFFFFFF).reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f)).lanewise(VectorOperators.FMA, bv, t2);
            t3 = d1.lanewise(VectorOperators.MUL, EIGHT).lanewise(VectorOperators.ADD, ((IntVector) hm.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13)
                    .lanewise(VectorOperators.AND, 0x8FFFFFFF).reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f)).lanewise(VectorOperators.FMA, bv, t3);
        }
        Simd.ZERO.lanewise(VectorOperators.ADD, t0).intoArray(res, 0); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.lanewise(VectorOperators.ADD, t1).intoArray(res, L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t2).intoArray(res, 2 * L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t3).intoArray(res, 3 * L);
    }

    /** The block forms of {@link #q5_0x2} and {@link #decodeQ5_0}. */
    static final int Q5_0 = 1, Q5_1 = 2;

    static void q5_0x2(MemorySegment d, long p0, long p1, long bb, int cols, short[] xq, float[] xd, float[] xs, float[] res, int legacy) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
        for (int b = 0; b < cols >>> 5; b++) {
            long f0 = p0 + b * bb, f1 = p1 + b * bb;
            int pf = legacy == Q5_0 ? PF_Q5_0 : PF_Q5_1;
            Prefetch.ahead2(pf, d, f0, f1, bb); // each panel's block Prefetch.BYTES ahead
            FloatVector s00 = FloatVector.zero(F), s01 = s00, s10 = s00, s11 = s00;
            for (int h = 0; h < 2; h++) {
                long go = 2L * P * legacy + 10L * P * h;
                int c = 32 * b + 16 * h;
                ShortVector u00 = ShortVector.fromMemorySegment(SP, d, f0 + go, LE);
                ShortVector u01 = ShortVector.fromMemorySegment(SP, d, f0 + go + 2L * P, LE);
                ShortVector u02 = ShortVector.fromMemorySegment(SP, d, f0 + go + 4L * P, LE);
                ShortVector u03 = ShortVector.fromMemorySegment(SP, d, f0 + go + 6L * P, LE);
                ShortVector u04 = ShortVector.fromMemorySegment(SP, d, f0 + go + 8L * P, LE);
                ShortVector u10 = ShortVector.fromMemorySegment(SP, d, f1 + go, LE);
                ShortVector u11 = ShortVector.fromMemorySegment(SP, d, f1 + go + 2L * P, LE);
                ShortVector u12 = ShortVector.fromMemorySegment(SP, d, f1 + go + 4L * P, LE);
                ShortVector u13 = ShortVector.fromMemorySegment(SP, d, f1 + go + 6L * P, LE);
                ShortVector u14 = ShortVector.fromMemorySegment(SP, d, f1 + go + 8L * P, LE);
                ShortVector a0 = ShortVector.zero(SP), a1 = a0;
                ShortVector bx;
                bx = ShortVector.broadcast(SP, xq[c]);
                a0 = u00.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 1]);
                a0 = u00.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 2]);
                a0 = u00.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 3]);
                a0 = u01.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u11.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 4]);
                a0 = u01.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u11.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 5]);
                a0 = u01.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u11.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 6]);
                a0 = u02.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u12.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 7]);
                a0 = u02.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u12.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 8]);
                a0 = u02.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u12.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 9]);
                a0 = u03.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u13.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 10]);
                a0 = u03.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u13.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 11]);
                a0 = u03.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u13.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 12]);
                a0 = u04.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u14.lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 13]);
                a0 = u04.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u14.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 14]);
                a0 = u04.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u14.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[c + 15]);
                a0 = u00.lanewise(VectorOperators.LSHL, K11).lanewise(VectorOperators.AND, B11).lanewise(VectorOperators.OR, u01.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.AND, B12))
                        .lanewise(VectorOperators.OR, u02.lanewise(VectorOperators.LSHL, K13).lanewise(VectorOperators.AND, B13)).lanewise(VectorOperators.OR, u03.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.AND, B14))
                        .lanewise(VectorOperators.OR, u04.lanewise(VectorOperators.LSHL, K15)).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.LSHL, K11).lanewise(VectorOperators.AND, B11).lanewise(VectorOperators.OR, u11.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.AND, B12))
                        .lanewise(VectorOperators.OR, u12.lanewise(VectorOperators.LSHL, K13).lanewise(VectorOperators.AND, B13)).lanewise(VectorOperators.OR, u13.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.AND, B14))
                        .lanewise(VectorOperators.OR, u14.lanewise(VectorOperators.LSHL, K15)).lanewise(VectorOperators.ASHR, K11).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                s00 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.ADD, s00);
                s01 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.ADD, s01);
                s10 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.ADD, s10);
                s11 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.ADD, s11);
            }
            FloatVector sx = FloatVector.broadcast(F, xd[b]);
            // the P fp16 scales (and Q5_1's minimums), widened as F16 weights (exact for finite values)
            ShortVector h = ShortVector.fromMemorySegment(SP, d, f0, LE), hm = ShortVector.fromMemorySegment(SP, d, f0 + 2L * P, LE);
            FloatVector d0 = ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, 0x8FFFFFFF)
                    .reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f);
            FloatVector d1 = ((IntVector) h.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, 0x8FFFFFFF)
                    .reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f);
            t0 = s00.lanewise(VectorOperators.FMA, d0.lanewise(VectorOperators.MUL, sx), t0);
            t1 = s01.lanewise(VectorOperators.FMA, d1.lanewise(VectorOperators.MUL, sx), t1);
            if (legacy == Q5_1) {
                FloatVector bv = FloatVector.broadcast(F, xs[b]);
                t0 = d0.lanewise(VectorOperators.MUL, SIXTEEN).lanewise(VectorOperators.ADD, ((IntVector) hm.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13)
                        .lanewise(VectorOperators.AND, 0x8FFFFFFF).reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f)).lanewise(VectorOperators.FMA, bv, t0);
                t1 = d1.lanewise(VectorOperators.MUL, SIXTEEN).lanewise(VectorOperators.ADD, ((IntVector) hm.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13)
                        .lanewise(VectorOperators.AND, 0x8FFFFFFF).reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f)).lanewise(VectorOperators.FMA, bv, t1);
            }
            h = ShortVector.fromMemorySegment(SP, d, f1, LE);
            hm = ShortVector.fromMemorySegment(SP, d, f1 + 2L * P, LE);
            d0 = ((IntVector) h.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, 0x8FFFFFFF)
                    .reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f);
            d1 = ((IntVector) h.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13).lanewise(VectorOperators.AND, 0x8FFFFFFF)
                    .reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f);
            t2 = s10.lanewise(VectorOperators.FMA, d0.lanewise(VectorOperators.MUL, sx), t2);
            t3 = s11.lanewise(VectorOperators.FMA, d1.lanewise(VectorOperators.MUL, sx), t3);
            if (legacy == Q5_1) {
                FloatVector bv = FloatVector.broadcast(F, xs[b]);
                t2 = d0.lanewise(VectorOperators.MUL, SIXTEEN).lanewise(VectorOperators.ADD, ((IntVector) hm.convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 13)
                        .lanewise(VectorOperators.AND, 0x8FFFFFFF).reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f)).lanewise(VectorOperators.FMA, bv, t2);
                t3 = d1.lanewise(VectorOperators.MUL, SIXTEEN).lanewise(VectorOperators.ADD, ((IntVector) hm.convertShape(VectorOperators.S2I, I, 1)).lanewise(VectorOperators.LSHL, 13)
                        .lanewise(VectorOperators.AND, 0x8FFFFFFF).reinterpretAsFloats().lanewise(VectorOperators.MUL, 0x1p112f)).lanewise(VectorOperators.FMA, bv, t3);
            }
        }
        Simd.ZERO.lanewise(VectorOperators.ADD, t0).intoArray(res, 0); // see Simd: an exact receiver for the loop's results
        Simd.ZERO.lanewise(VectorOperators.ADD, t1).intoArray(res, L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t2).intoArray(res, 2 * L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t3).intoArray(res, 3 * L);
    }

    /**
     * Q6_K over two panels at p0, p1 (super-blocks of bb bytes), in 16-bit integers: per 8-column group and panel,
     * a = Σ (q − 32)·q_x exactly in P short lanes (|a| ≤ 32512; q − 32 comes out of the group's three words with at
     * most a shift, a blend and an arithmetic shift), the two groups of a 16-column sub-block added as floats
     * (exact), then t = fma(s, (d·sc)·d_x, t): the form's Q6_K arithmetic ({@link ColumnPanels}).
     */
    static void q6_Kx2(MemorySegment d, long p0, long p1, long bb, int cols, short[] xq, float[] xd, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
        long step = bb >>> 4;
        for (int j = 0; j < cols >>> 4; j++) {
            long sb = (j >>> 4) * bb;
            int s = j & 15;
            long f0 = p0 + sb, f1 = p1 + sb;
            Prefetch.ahead2(PF_Q6_K, d, p0 + j * step, p1 + j * step, step); // the bytes Prefetch.BYTES ahead of this step's share of each panel
            ShortVector a0 = ShortVector.zero(SP), a1 = a0, b0 = a0, b1 = a0;
            ShortVector bx;
            {
                long go = 20L * P + 6L * P * (2 * s);
                ShortVector u00 = ShortVector.fromMemorySegment(SP, d, f0 + go, LE);
                ShortVector u01 = ShortVector.fromMemorySegment(SP, d, f0 + go + 2L * P, LE);
                ShortVector u02 = ShortVector.fromMemorySegment(SP, d, f0 + go + 4L * P, LE);
                ShortVector u10 = ShortVector.fromMemorySegment(SP, d, f1 + go, LE);
                ShortVector u11 = ShortVector.fromMemorySegment(SP, d, f1 + go + 2L * P, LE);
                ShortVector u12 = ShortVector.fromMemorySegment(SP, d, f1 + go + 4L * P, LE);
                bx = ShortVector.broadcast(SP, xq[16 * j]);
                a0 = u00.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 1]);
                a0 = u00.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 2]);
                a0 = u01.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u11.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 3]);
                a0 = u01.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u11.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 4]);
                a0 = u02.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u12.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 5]);
                a0 = u02.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u12.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 6]);
                a0 = u00.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.BITWISE_BLEND, u02.lanewise(VectorOperators.LSHL, K12), HI2).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u10.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.BITWISE_BLEND, u12.lanewise(VectorOperators.LSHL, K12), HI2).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 7]);
                a0 = u01.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.BITWISE_BLEND, u02.lanewise(VectorOperators.LSHL, K14), HI2).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a0);
                a1 = u11.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.BITWISE_BLEND, u12.lanewise(VectorOperators.LSHL, K14), HI2).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, a1);
            }
            {
                long go = 20L * P + 6L * P * (2 * s + 1);
                ShortVector u00 = ShortVector.fromMemorySegment(SP, d, f0 + go, LE);
                ShortVector u01 = ShortVector.fromMemorySegment(SP, d, f0 + go + 2L * P, LE);
                ShortVector u02 = ShortVector.fromMemorySegment(SP, d, f0 + go + 4L * P, LE);
                ShortVector u10 = ShortVector.fromMemorySegment(SP, d, f1 + go, LE);
                ShortVector u11 = ShortVector.fromMemorySegment(SP, d, f1 + go + 2L * P, LE);
                ShortVector u12 = ShortVector.fromMemorySegment(SP, d, f1 + go + 4L * P, LE);
                bx = ShortVector.broadcast(SP, xq[16 * j + 8]);
                b0 = u00.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b0);
                b1 = u10.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 8 + 1]);
                b0 = u00.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b0);
                b1 = u10.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 8 + 2]);
                b0 = u01.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b0);
                b1 = u11.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 8 + 3]);
                b0 = u01.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b0);
                b1 = u11.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 8 + 4]);
                b0 = u02.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b0);
                b1 = u12.lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 8 + 5]);
                b0 = u02.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b0);
                b1 = u12.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 8 + 6]);
                b0 = u00.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.BITWISE_BLEND, u02.lanewise(VectorOperators.LSHL, K12), HI2).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b0);
                b1 = u10.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.BITWISE_BLEND, u12.lanewise(VectorOperators.LSHL, K12), HI2).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b1);
                bx = ShortVector.broadcast(SP, xq[16 * j + 8 + 7]);
                b0 = u01.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.BITWISE_BLEND, u02.lanewise(VectorOperators.LSHL, K14), HI2).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b0);
                b1 = u11.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.BITWISE_BLEND, u12.lanewise(VectorOperators.LSHL, K14), HI2).lanewise(VectorOperators.ASHR, K10).lanewise(VectorOperators.MUL, bx).lanewise(VectorOperators.ADD, b1);
            }
            float sx = xd[j >>> 1];
            ByteVector sc0 = ByteVector.fromMemorySegment(B2, d, f0 + 4L * P + (long) s * P, LE);
            ByteVector sc1 = ByteVector.fromMemorySegment(B2, d, f1 + 4L * P + (long) s * P, LE);
            FloatVector ds;
            ds = FloatVector.fromMemorySegment(F, d, f0, LE).lanewise(VectorOperators.MUL, (FloatVector) sc0.convertShape(VectorOperators.B2F, F, 0)).lanewise(VectorOperators.MUL, sx);
            t0 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.ADD, (FloatVector) b0.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, ds, t0);
            ds = FloatVector.fromMemorySegment(F, d, f0 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc0.convertShape(VectorOperators.B2F, F, 1)).lanewise(VectorOperators.MUL, sx);
            t1 = ((FloatVector) a0.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.ADD, (FloatVector) b0.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, ds, t1);
            ds = FloatVector.fromMemorySegment(F, d, f1, LE).lanewise(VectorOperators.MUL, (FloatVector) sc1.convertShape(VectorOperators.B2F, F, 0)).lanewise(VectorOperators.MUL, sx);
            t2 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.ADD, (FloatVector) b1.convertShape(VectorOperators.S2F, F, 0)).lanewise(VectorOperators.FMA, ds, t2);
            ds = FloatVector.fromMemorySegment(F, d, f1 + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc1.convertShape(VectorOperators.B2F, F, 1)).lanewise(VectorOperators.MUL, sx);
            t3 = ((FloatVector) a1.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.ADD, (FloatVector) b1.convertShape(VectorOperators.S2F, F, 1)).lanewise(VectorOperators.FMA, ds, t3);
        }
        Simd.ZERO.lanewise(VectorOperators.ADD, t0).intoArray(res, 0);
        Simd.ZERO.lanewise(VectorOperators.ADD, t1).intoArray(res, L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t2).intoArray(res, 2 * L);
        Simd.ZERO.lanewise(VectorOperators.ADD, t3).intoArray(res, 3 * L);
    }

    /**
     * Sub-block s of the super-block at fo: a[so + i] = ds = d·sc and a[so + P + i] = 8·ds + mn (mn = (−dmin)·m)
     * for the P rows — the scaling the chunk's tiles apply per block.
     */
    static void q4_KScales(MemorySegment d, long fo, int s, int so, float[] a) {
        kScales(d, fo, s, so, a, 8f);
    }

    /** As {@link #q4_KScales} with {@code zero}·ds + mn (Q4_K: 8, Q5_K: 16, the quants' offset). */
    static void kScales(MemorySegment d, long fo, int s, int so, float[] a, float zero) {
        ByteVector sc = ByteVector.fromMemorySegment(B2, d, fo + 8L * P + (long) s * P, LE);
        ByteVector mb = ByteVector.fromMemorySegment(B2, d, fo + 16L * P + (long) s * P, LE);
        FloatVector ds = FloatVector.fromMemorySegment(F, d, fo, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0));
        FloatVector mn = FloatVector.fromMemorySegment(F, d, fo + 4L * P, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 0));
        ds.intoArray(a, so);
        ds.lanewise(VectorOperators.MUL, zero).lanewise(VectorOperators.ADD, mn).intoArray(a, so + P);
        ds = FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1));
        mn = FloatVector.fromMemorySegment(F, d, fo + 4L * P + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) mb.convertShape(VectorOperators.B2F, F, 1));
        ds.intoArray(a, so + L);
        ds.lanewise(VectorOperators.MUL, zero).lanewise(VectorOperators.ADD, mn).intoArray(a, so + P + L);
    }

    /**
     * Q5_K chunk [c0, c0 + 128) of the panel at po (super-blocks of bb bytes): a[c·P + i] = q − 16 (extracted as
     * {@link #q5_Kx2} does), and for the chunk's sub-block j &lt; 4 the P floats ds = d·sc at a[(128 + 2j)·P ..] and
     * 16·ds + mn at a[(129 + 2j)·P ..] (the scaling {@link PanelGemm} applies per block, as the GEMV does).
     */
    static void decodeQ5_K(MemorySegment d, long po, long bb, int c0, float[] a) {
        long fo = po + (c0 >>> 8) * bb;
        int s0 = (c0 >>> 5) & 7;
        for (int s = s0; s < s0 + 4; s++) {
            kScales(d, fo, s, (CHUNK + 2 * (s - s0)) * P, a, 16f);
        }
        int g0 = (c0 >>> 4) & 15;
        for (int g = g0; g < g0 + 8; g++) {
            fiveBitGroup(d, fo + 24L * P + 10L * P * g, a, 16 * (g - g0) * P);
        }
    }

    /**
     * Q5_0 (legacy {@link #Q5_0}) or Q5_1 ({@link #Q5_1}), a chunk of m columns at c0 (blocks of bb bytes at po):
     * a[c·P + i] = q − 16 of column c0 + c and row i. The scales: {@link PanelGemm#halfScales} (Q5_0), {@link #q5_1Scales}.
     */
    static void decodeQ5_0(MemorySegment d, long po, long bb, int c0, int m, float[] a, int legacy) {
        for (int c = 0; c < m; c += 16) {
            int col = c0 + c;
            fiveBitGroup(d, po + (col >>> 5) * bb + 2L * P * legacy + 10L * P * ((col >>> 4) & 1), a, c * P);
        }
    }

    /**
     * Q5_1 (zero 16) or Q4_1 (zero 8), for block j of the chunk of m columns at c0: a[(CHUNK + 2j)·P + i] = d and
     * a[(CHUNK + 2j + 1)·P + i] = zero·d + m (fp16 d and m widened; the GEMV's scaling, in {@link PanelGemm#q5_KBlocks}'s
     * and {@link PanelGemm16#blocksQ4_K}'s places).
     */
    static void q5_1Scales(MemorySegment d, long po, long bb, int c0, int m, float[] a, float zero) {
        for (int j = 0; j < m >>> 5; j++) {
            long so = po + ((c0 >>> 5) + j) * bb;
            int ao = (CHUNK + 2 * j) * P;
            for (int i = 0; i < P; i++) {
                float dw = Float.float16ToFloat(d.get(io.llmopt.tensor.Layouts.SHORT, so + 2L * i));
                a[ao + i] = dw;
                a[ao + P + i] = dw * zero + Float.float16ToFloat(d.get(io.llmopt.tensor.Layouts.SHORT, so + 2L * P + 2L * i));
            }
        }
    }

    /** The 16 columns of the 5-bit group whose five words start at {@code go}: a[ao + c·P + i] = q − 16 (see {@link ColumnPanels}). */
    private static void fiveBitGroup(MemorySegment d, long go, float[] a, int ao) {
        ShortVector u0 = ShortVector.fromMemorySegment(SP, d, go, LE);
        ShortVector u1 = ShortVector.fromMemorySegment(SP, d, go + 2L * P, LE);
        ShortVector u2 = ShortVector.fromMemorySegment(SP, d, go + 4L * P, LE);
        ShortVector u3 = ShortVector.fromMemorySegment(SP, d, go + 6L * P, LE);
        ShortVector u4 = ShortVector.fromMemorySegment(SP, d, go + 8L * P, LE);
        ShortVector v;
        v = u0.lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 0 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 0 * P + L);
        v = u0.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 1 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 1 * P + L);
        v = u0.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 2 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 2 * P + L);
        v = u1.lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 3 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 3 * P + L);
        v = u1.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 4 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 4 * P + L);
        v = u1.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 5 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 5 * P + L);
        v = u2.lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 6 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 6 * P + L);
        v = u2.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 7 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 7 * P + L);
        v = u2.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 8 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 8 * P + L);
        v = u3.lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 9 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 9 * P + L);
        v = u3.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 10 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 10 * P + L);
        v = u3.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 11 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 11 * P + L);
        v = u4.lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 12 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 12 * P + L);
        v = u4.lanewise(VectorOperators.LSHL, K5).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 13 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 13 * P + L);
        v = u4.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 14 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 14 * P + L);
        v = u0.lanewise(VectorOperators.LSHL, K11).lanewise(VectorOperators.AND, B11).lanewise(VectorOperators.OR, u1.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.AND, B12))
                .lanewise(VectorOperators.OR, u2.lanewise(VectorOperators.LSHL, K13).lanewise(VectorOperators.AND, B13)).lanewise(VectorOperators.OR, u3.lanewise(VectorOperators.LSHL, K14).lanewise(VectorOperators.AND, B14))
                .lanewise(VectorOperators.OR, u4.lanewise(VectorOperators.LSHL, K15)).lanewise(VectorOperators.ASHR, K11);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 15 * P);
        ((FloatVector) v.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 15 * P + L);
    }

    /**
     * Q6_K chunk [c0, c0 + 128) of the panel at po (super-blocks of bb bytes): a[c·P + i] = q − 32, and for the
     * chunk's sub-block j &lt; 8 the P floats d·sc at a[(128 + j)·P ..] (the GEMM's per-sub-block scaling).
     */
    static void decodeQ6_K(MemorySegment d, long po, long bb, int c0, float[] a) {
        long fo = po + (c0 >>> 8) * bb;
        int s0 = (c0 >>> 4) & 15;
        for (int s = s0; s < s0 + 8; s++) {
            ByteVector sc = ByteVector.fromMemorySegment(B2, d, fo + 4L * P + (long) s * P, LE);
            int so = (CHUNK + s - s0) * P;
            FloatVector.fromMemorySegment(F, d, fo, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 0)).intoArray(a, so);
            FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE).lanewise(VectorOperators.MUL, (FloatVector) sc.convertShape(VectorOperators.B2F, F, 1)).intoArray(a, so + L);
        }
        for (int g = 2 * s0; g < 2 * s0 + 16; g++) {
            long go = fo + 20L * P + 6L * P * g;
            ShortVector w0 = ShortVector.fromMemorySegment(SP, d, go, LE);
            ShortVector w1 = ShortVector.fromMemorySegment(SP, d, go + 2L * P, LE);
            ShortVector w2 = ShortVector.fromMemorySegment(SP, d, go + 4L * P, LE);
            int ao = 8 * (g - 2 * s0) * P;
            ShortVector q;
                q = w0.lanewise(VectorOperators.ASHR, K10);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 0 * P);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 0 * P + L);
                q = w0.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 1 * P);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 1 * P + L);
                q = w1.lanewise(VectorOperators.ASHR, K10);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 2 * P);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 2 * P + L);
                q = w1.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 3 * P);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 3 * P + L);
                q = w2.lanewise(VectorOperators.ASHR, K10);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 4 * P);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 4 * P + L);
                q = w2.lanewise(VectorOperators.LSHL, K6).lanewise(VectorOperators.ASHR, K10);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 5 * P);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 5 * P + L);
                q = w0.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.BITWISE_BLEND, w2.lanewise(VectorOperators.LSHL, K12), HI2).lanewise(VectorOperators.ASHR, K10);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 6 * P);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 6 * P + L);
                q = w1.lanewise(VectorOperators.LSHL, K10).lanewise(VectorOperators.BITWISE_BLEND, w2.lanewise(VectorOperators.LSHL, K14), HI2).lanewise(VectorOperators.ASHR, K10);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 0)).intoArray(a, ao + 7 * P);
                ((FloatVector) q.convertShape(VectorOperators.S2F, F, 1)).intoArray(a, ao + 7 * P + L);
        }
    }
}
