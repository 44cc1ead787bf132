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
import jdk.incubator.vector.VectorOperators;

/**
 * The K-quant kernels of the {@link ColumnPanels} form: the GEMV over two panels (as {@link PanelGemv}, four
 * accumulator chains restarted every {@link ColumnPanels#CHUNK} columns) and the chunk decoders of the GEMM
 * ({@link PanelGemm}: a chunk of 128 columns is half a super-block, decoded into a[c·P + i]). Per sub-block the
 * P rows' byte scales are widened once and multiplied by d (and the minimums by −dmin), which gives the same
 * floats as the scalar decode; per column one shift and one mask of a word vector give the P rows' nibbles
 * (Q6_K: plus one shift and mask of a high-bits word, an or and −32). The weight expressions are those of
 * {@link ColumnPanels#decodeRow}: Q4_K fma(q, d·sc, (−dmin)·m), Q6_K (q − 32)·(d·sc).
 *
 * <p>Written out in full: no helper takes or returns a vector (C2 would box it once the kernel's graph is
 * large), and every per-column shift count is a constant (Q6_K's GEMV walks a sub-block in quarters of four
 * columns, pre-shifting the quarter's words once). Each GEMV loop is kept small enough for C1: a bigger one made
 * C1 give up ("out of virtual registers"), and a kernel that then stayed in C1's tier 2 ran with boxed vectors
 * at about 1% of its speed.
 */
final class PanelKQuants {
    static final int P = PanelGemv.P;
    static final int CHUNK = ColumnPanels.CHUNK;
    /** 2L bytes: the P rows' byte scales of one sub-block, widened as two parts of L floats. */
    private static final jdk.incubator.vector.VectorSpecies<Byte> B2 = PanelGemv.B2;

    private PanelKQuants() {
    }

    /** Q4_K GEMV over the panels at po and pq (super-blocks of bb bytes). */
    static void q4_K(MemorySegment d, long po, long pq, long bb, int cols, float[] x, int xo, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
        for (int c0 = 0; c0 < cols; c0 += CHUNK) {
            long fo = po + (c0 >>> 8) * bb, fq = pq + (c0 >>> 8) * bb;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int s0 = (c0 >>> 5) & 7;
            for (int s = s0; s < s0 + 4; s++) {
                scales(d, fo, fq, fo + 8L * P + (long) s * P, fq + 8L * P + (long) s * P, res, 0);
                scales(d, fo + 4L * P, fq + 4L * P, fo + 16L * P + (long) s * P, fq + 16L * P + (long) s * P, res, 4 * L);
                FloatVector d0 = FloatVector.fromArray(F, res, 0);
                FloatVector d1 = FloatVector.fromArray(F, res, L);
                FloatVector d2 = FloatVector.fromArray(F, res, 2 * L);
                FloatVector d3 = FloatVector.fromArray(F, res, 3 * L);
                FloatVector m0 = FloatVector.fromArray(F, res, 4 * L);
                FloatVector m1 = FloatVector.fromArray(F, res, 5 * L);
                FloatVector m2 = FloatVector.fromArray(F, res, 6 * L);
                FloatVector m3 = FloatVector.fromArray(F, res, 7 * L);
                for (int k = 0; k < 4; k++) {
                    long wo = fo + 24L * P + 4L * P * (4 * s + k), wq = fq + 24L * P + 4L * P * (4 * s + k);
                    IntVector v0 = IntVector.fromMemorySegment(I, d, wo, LE);
                    IntVector v1 = IntVector.fromMemorySegment(I, d, wo + 4L * L, LE);
                    IntVector v2 = IntVector.fromMemorySegment(I, d, wq, LE);
                    IntVector v3 = IntVector.fromMemorySegment(I, d, wq + 4L * L, LE);
                    int xc = xo + c0 + 32 * (s - s0) + 8 * k;
                    FloatVector b;
                    b = FloatVector.broadcast(F, x[xc]);
                    a0 = ((FloatVector) v0.and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.and(15).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.and(15).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                    b = FloatVector.broadcast(F, x[xc + 1]);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                    b = FloatVector.broadcast(F, x[xc + 2]);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                    b = FloatVector.broadcast(F, x[xc + 3]);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                    b = FloatVector.broadcast(F, x[xc + 4]);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                    b = FloatVector.broadcast(F, x[xc + 5]);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                    b = FloatVector.broadcast(F, x[xc + 6]);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                    b = FloatVector.broadcast(F, x[xc + 7]);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 28).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 28).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 28).and(15).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 28).and(15).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                }
            }
            t0 = t0.add(a0);
            t1 = t1.add(a1);
            t2 = t2.add(a2);
            t3 = t3.add(a3);
        }
        t0.intoArray(res, 0);
        t1.intoArray(res, L);
        t2.intoArray(res, 2 * L);
        t3.intoArray(res, 3 * L);
    }

    /** Q6_K GEMV over the panels at po and pq (super-blocks of bb bytes). */
    static void q6_K(MemorySegment d, long po, long pq, long bb, int cols, float[] x, int xo, float[] res) {
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
        for (int c0 = 0; c0 < cols; c0 += CHUNK) {
            long fo = po + (c0 >>> 8) * bb, fq = pq + (c0 >>> 8) * bb;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int s0 = (c0 >>> 4) & 15;
            for (int s = s0; s < s0 + 8; s++) {
                scales(d, fo, fq, fo + 4L * P + (long) s * P, fq + 4L * P + (long) s * P, res, 0);
                FloatVector d0 = FloatVector.fromArray(F, res, 0);
                FloatVector d1 = FloatVector.fromArray(F, res, L);
                FloatVector d2 = FloatVector.fromArray(F, res, 2 * L);
                FloatVector d3 = FloatVector.fromArray(F, res, 3 * L);
                // (q − 32)·ds as fma(q, ds, −32·ds): −32·ds is exact, so the same single rounding with one op less
                FloatVector m0 = d0.mul(-32f), m1 = d1.mul(-32f), m2 = d2.mul(-32f), m3 = d3.mul(-32f);
                long ho = fo + 148L * P + 4L * P * s, hq = fq + 148L * P + 4L * P * s;
                IntVector g0 = IntVector.fromMemorySegment(I, d, ho, LE);
                IntVector g1 = IntVector.fromMemorySegment(I, d, ho + 4L * L, LE);
                IntVector g2 = IntVector.fromMemorySegment(I, d, hq, LE);
                IntVector g3 = IntVector.fromMemorySegment(I, d, hq + 4L * L, LE);
                for (int qt = 0; qt < 4; qt++) { // quarters of 4 columns: a quarter of this loop is what C1 can compile
                    long wo = fo + 20L * P + 4L * P * (2 * s + (qt >> 1)), wq = fq + 20L * P + 4L * P * (2 * s + (qt >> 1));
                    // the low nibbles of columns 4·qt + n sit at bits 16·(qt & 1) + 4n of their word, the high pairs at 8·qt + 2n
                    IntVector v0 = IntVector.fromMemorySegment(I, d, wo, LE).lanewise(VectorOperators.LSHR, 16 * (qt & 1));
                    IntVector v1 = IntVector.fromMemorySegment(I, d, wo + 4L * L, LE).lanewise(VectorOperators.LSHR, 16 * (qt & 1));
                    IntVector v2 = IntVector.fromMemorySegment(I, d, wq, LE).lanewise(VectorOperators.LSHR, 16 * (qt & 1));
                    IntVector v3 = IntVector.fromMemorySegment(I, d, wq + 4L * L, LE).lanewise(VectorOperators.LSHR, 16 * (qt & 1));
                    IntVector h0 = g0.lanewise(VectorOperators.LSHR, 8 * qt);
                    IntVector h1 = g1.lanewise(VectorOperators.LSHR, 8 * qt);
                    IntVector h2 = g2.lanewise(VectorOperators.LSHR, 8 * qt);
                    IntVector h3 = g3.lanewise(VectorOperators.LSHR, 8 * qt);
                    int xc = xo + c0 + 16 * (s - s0) + 4 * qt;
                    FloatVector b;
                    b = FloatVector.broadcast(F, x[xc]);
                    a0 = ((FloatVector) v0.and(15).or(h0.lanewise(VectorOperators.LSHL, 4).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.and(15).or(h1.lanewise(VectorOperators.LSHL, 4).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.and(15).or(h2.lanewise(VectorOperators.LSHL, 4).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.and(15).or(h3.lanewise(VectorOperators.LSHL, 4).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                    b = FloatVector.broadcast(F, x[xc + 1]);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).and(15).or(h0.lanewise(VectorOperators.LSHL, 2).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).and(15).or(h1.lanewise(VectorOperators.LSHL, 2).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 4).and(15).or(h2.lanewise(VectorOperators.LSHL, 2).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 4).and(15).or(h3.lanewise(VectorOperators.LSHL, 2).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                    b = FloatVector.broadcast(F, x[xc + 2]);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 8).and(15).or(h0.and(0x30)).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 8).and(15).or(h1.and(0x30)).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 8).and(15).or(h2.and(0x30)).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 8).and(15).or(h3.and(0x30)).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                    b = FloatVector.broadcast(F, x[xc + 3]);
                    a0 = ((FloatVector) v0.lanewise(VectorOperators.LSHR, 12).and(15).or(h0.lanewise(VectorOperators.LSHR, 2).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d0, m0).fma(b, a0);
                    a1 = ((FloatVector) v1.lanewise(VectorOperators.LSHR, 12).and(15).or(h1.lanewise(VectorOperators.LSHR, 2).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d1, m1).fma(b, a1);
                    a2 = ((FloatVector) v2.lanewise(VectorOperators.LSHR, 12).and(15).or(h2.lanewise(VectorOperators.LSHR, 2).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d2, m2).fma(b, a2);
                    a3 = ((FloatVector) v3.lanewise(VectorOperators.LSHR, 12).and(15).or(h3.lanewise(VectorOperators.LSHR, 2).and(0x30)).convert(VectorOperators.I2F, 0)).fma(d3, m3).fma(b, a3);
                }

            }
            t0 = t0.add(a0);
            t1 = t1.add(a1);
            t2 = t2.add(a2);
            t3 = t3.add(a3);
        }
        t0.intoArray(res, 0);
        t1.intoArray(res, L);
        t2.intoArray(res, 2 * L);
        t3.intoArray(res, 3 * L);
    }

    /**
     * res[at + j·L ..] for j &lt; 4 = the floats at fo, fo + 4L, fq, fq + 4L times the widened 2L bytes at so (rows
     * of the first panel) and sq (second panel): a sub-block's d·sc or (−dmin)·m of the GEMV's two panels. Apart
     * from the GEMV loop so that C1 can compile that loop (with this part inline it runs out of virtual registers,
     * and a kernel left in C1's tier 2 then runs boxed); res is the GEMV's result buffer, free until its end.
     */
    private static void scales(MemorySegment d, long fo, long fq, long so, long sq, float[] res, int at) {
        ByteVector bo = ByteVector.fromMemorySegment(B2, d, so, LE);
        ByteVector bq = ByteVector.fromMemorySegment(B2, d, sq, LE);
        FloatVector.fromMemorySegment(F, d, fo, LE).mul((FloatVector) bo.convertShape(VectorOperators.B2F, F, 0)).intoArray(res, at);
        FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE).mul((FloatVector) bo.convertShape(VectorOperators.B2F, F, 1)).intoArray(res, at + L);
        FloatVector.fromMemorySegment(F, d, fq, LE).mul((FloatVector) bq.convertShape(VectorOperators.B2F, F, 0)).intoArray(res, at + 2 * L);
        FloatVector.fromMemorySegment(F, d, fq + 4L * L, LE).mul((FloatVector) bq.convertShape(VectorOperators.B2F, F, 1)).intoArray(res, at + 3 * L);
    }

    /** Q4_K chunk [c0, c0 + 128) of the panel at po (super-blocks of bb bytes) into a[c·P + i]. */
    static void decodeQ4_K(MemorySegment d, long po, long bb, int c0, float[] a) {
        long fo = po + (c0 >>> 8) * bb;
        FloatVector e0 = FloatVector.fromMemorySegment(F, d, fo, LE);
        FloatVector e1 = FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE);
        FloatVector n0 = FloatVector.fromMemorySegment(F, d, fo + 4L * P, LE);
        FloatVector n1 = FloatVector.fromMemorySegment(F, d, fo + 4L * P + 4L * L, LE);
        int s0 = (c0 >>> 5) & 7;
        for (int s = s0; s < s0 + 4; s++) {
            ByteVector so = ByteVector.fromMemorySegment(B2, d, fo + 8L * P + (long) s * P, LE);
            ByteVector mo = ByteVector.fromMemorySegment(B2, d, fo + 16L * P + (long) s * P, LE);
            FloatVector d0 = e0.mul((FloatVector) so.convertShape(VectorOperators.B2F, F, 0));
            FloatVector d1 = e1.mul((FloatVector) so.convertShape(VectorOperators.B2F, F, 1));
            FloatVector m0 = n0.mul((FloatVector) mo.convertShape(VectorOperators.B2F, F, 0));
            FloatVector m1 = n1.mul((FloatVector) mo.convertShape(VectorOperators.B2F, F, 1));
            for (int k = 0; k < 4; k++) {
                long wo = fo + 24L * P + 4L * P * (4 * s + k);
                IntVector v0 = IntVector.fromMemorySegment(I, d, wo, LE);
                IntVector v1 = IntVector.fromMemorySegment(I, d, wo + 4L * L, LE);
                int ao = (32 * (s - s0) + 8 * k) * P;
                ((FloatVector) v0.and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).intoArray(a, ao);
                ((FloatVector) v1.and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).intoArray(a, ao + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).intoArray(a, ao + 1 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).intoArray(a, ao + 1 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).intoArray(a, ao + 2 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 8).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).intoArray(a, ao + 2 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).intoArray(a, ao + 3 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 12).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).intoArray(a, ao + 3 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).intoArray(a, ao + 4 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 16).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).intoArray(a, ao + 4 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).intoArray(a, ao + 5 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 20).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).intoArray(a, ao + 5 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).intoArray(a, ao + 6 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 24).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).intoArray(a, ao + 6 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 28).and(15).convert(VectorOperators.I2F, 0)).fma(d0, m0).intoArray(a, ao + 7 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 28).and(15).convert(VectorOperators.I2F, 0)).fma(d1, m1).intoArray(a, ao + 7 * P + L);
            }
        }
    }

    /** Q6_K chunk [c0, c0 + 128) of the panel at po (super-blocks of bb bytes) into a[c·P + i]. */
    static void decodeQ6_K(MemorySegment d, long po, long bb, int c0, float[] a) {
        long fo = po + (c0 >>> 8) * bb;
        FloatVector e0 = FloatVector.fromMemorySegment(F, d, fo, LE);
        FloatVector e1 = FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE);
        int s0 = (c0 >>> 4) & 15;
        for (int s = s0; s < s0 + 8; s++) {
            ByteVector so = ByteVector.fromMemorySegment(B2, d, fo + 4L * P + (long) s * P, LE);
            FloatVector d0 = e0.mul((FloatVector) so.convertShape(VectorOperators.B2F, F, 0));
            FloatVector d1 = e1.mul((FloatVector) so.convertShape(VectorOperators.B2F, F, 1));
            long ho = fo + 148L * P + 4L * P * s;
            IntVector g0 = IntVector.fromMemorySegment(I, d, ho, LE);
            IntVector g1 = IntVector.fromMemorySegment(I, d, ho + 4L * L, LE);
            for (int half = 0; half < 2; half++) {
                long wo = fo + 20L * P + 4L * P * (2 * s + half);
                IntVector v0 = IntVector.fromMemorySegment(I, d, wo, LE);
                IntVector v1 = IntVector.fromMemorySegment(I, d, wo + 4L * L, LE);
                IntVector h0 = g0.lanewise(VectorOperators.LSHR, 16 * half);
                IntVector h1 = g1.lanewise(VectorOperators.LSHR, 16 * half);
                int ao = (16 * (s - s0) + 8 * half) * P;
                ((FloatVector) v0.and(15).or(h0.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d0).intoArray(a, ao);
                ((FloatVector) v1.and(15).or(h1.lanewise(VectorOperators.LSHL, 4).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d1).intoArray(a, ao + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 4).and(15).or(h0.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d0).intoArray(a, ao + 1 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 4).and(15).or(h1.lanewise(VectorOperators.LSHL, 2).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d1).intoArray(a, ao + 1 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 8).and(15).or(h0.and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d0).intoArray(a, ao + 2 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 8).and(15).or(h1.and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d1).intoArray(a, ao + 2 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 12).and(15).or(h0.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d0).intoArray(a, ao + 3 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 12).and(15).or(h1.lanewise(VectorOperators.LSHR, 2).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d1).intoArray(a, ao + 3 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 16).and(15).or(h0.lanewise(VectorOperators.LSHR, 4).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d0).intoArray(a, ao + 4 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 16).and(15).or(h1.lanewise(VectorOperators.LSHR, 4).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d1).intoArray(a, ao + 4 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 20).and(15).or(h0.lanewise(VectorOperators.LSHR, 6).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d0).intoArray(a, ao + 5 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 20).and(15).or(h1.lanewise(VectorOperators.LSHR, 6).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d1).intoArray(a, ao + 5 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 24).and(15).or(h0.lanewise(VectorOperators.LSHR, 8).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d0).intoArray(a, ao + 6 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 24).and(15).or(h1.lanewise(VectorOperators.LSHR, 8).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d1).intoArray(a, ao + 6 * P + L);
                ((FloatVector) v0.lanewise(VectorOperators.LSHR, 28).and(15).or(h0.lanewise(VectorOperators.LSHR, 10).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d0).intoArray(a, ao + 7 * P);
                ((FloatVector) v1.lanewise(VectorOperators.LSHR, 28).and(15).or(h1.lanewise(VectorOperators.LSHR, 10).and(0x30)).sub(32).convert(VectorOperators.I2F, 0)).mul(d1).intoArray(a, ao + 7 * P + L);
            }

        }
    }
}
