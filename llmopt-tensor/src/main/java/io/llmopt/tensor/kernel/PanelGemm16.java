package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.PanelGemv.K12;
import static io.llmopt.tensor.kernel.PanelGemv.K4;
import static io.llmopt.tensor.kernel.PanelGemv.K8;
import static io.llmopt.tensor.kernel.PanelGemv.SP;
import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;
import static io.llmopt.tensor.kernel.Simd.LE;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The Q4_0 and Q4_K register tiles of {@link PanelGemm} in 16-bit integers: the chunk is decoded once to q − 8 as
 * shorts (a[c·P + i], P = 2L rows in one vector of P shorts), the token group's activations are packed as their
 * 8-bit values in shorts, and per block of 32 columns each token's accumulator sums (q − 8)·q_x with one
 * multiply and one add per P weights — exact, |sum| ≤ 32512 — where the float tile needs two fused
 * multiply-adds. At the block's end, tb = fma(sum, d_w·d_x, tb) per token, as in the GEMV ({@link PanelGemv}),
 * so the outputs keep their bits.
 */
final class PanelGemm16 {
    static final int P = PanelGemv.P;

    private PanelGemm16() {
    }

    /** Q4_0: a[c·P + i] = q − 8 for the m columns of the chunk at c0 (a multiple of 32). */
    static void decodeQ4_0(MemorySegment d, long po, int c0, int m, short[] a) {
        decodeQ4_0(d, po, 18L * P, 2L * P, c0, m, a);
    }

    /** As {@link #decodeQ4_0} for blocks of bb bytes whose words start wo bytes in (Q4_1: 20·P and 4·P). */
    static void decodeQ4_0(MemorySegment d, long po, long bb, long wo, int c0, int m, short[] a) {
        for (int c = 0; c < m; c += 32) {
            long fo = po + ((c0 + c) >>> 5) * bb;
            for (int k = 0; k < 8; k++) {
                ShortVector v = ShortVector.fromMemorySegment(SP, d, fo + wo + 2L * P * k, LE);
                int ao = (c + 4 * k) * P;
                v.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K12).intoArray(a, ao);
                v.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K12).intoArray(a, ao + P);
                v.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K12).intoArray(a, ao + 2 * P);
                v.lanewise(VectorOperators.ASHR, K12).intoArray(a, ao + 3 * P);
            }
        }
    }

    /**
     * Q4_0, one token group of width w over a decoded chunk: per block of 32 columns the w-token tile, block
     * scales d_w widened by {@link PanelGemm#halfScales} into the chunk buffer's floats at
     * {@code as}[(CHUNK + j)·P ..] for block j of the chunk, the tokens' at xd[(t0 + j)·nb + b].
     */
    static void blocks(MemorySegment as, int c0, int m, short[] a, short[] xp, int xo, int w, float[] xd, int t0, int nb,
            float[] tb) {
        for (int cb = 0; cb < m; cb += 32) {
            int b = (c0 + cb) >>> 5;
            long so = 4L * (PanelKQuants.CHUNK + (cb >>> 5)) * P;
            switch (w) {
                case 12 -> s12(a, cb * P, xp, xo + cb * w, tb, t0 * P, as, so, xd, t0 * nb + b, nb);
                case 8 -> s8(a, cb * P, xp, xo + cb * w, tb, t0 * P, as, so, xd, t0 * nb + b, nb);
                default -> s4(a, cb * P, xp, xo + cb * w, tb, t0 * P, as, so, xd, t0 * nb + b, nb);
            }
        }
    }

    /**
     * Q4_K: a16[c·P + i] = q − 8 for the 128 columns of the chunk at c0 (half a super-block of bb bytes), and
     * for the chunk's sub-block j &lt; 4 the P floats ds = d·sc at a[(128 + 2j)·P ..] and 8·ds + mn at
     * a[(129 + 2j)·P ..] ({@link PanelKQuants#q4_KScales}).
     */
    static void decodeQ4_K(MemorySegment d, long po, long bb, int c0, float[] a, short[] a16) {
        long fo = po + (c0 >>> 8) * bb;
        int s0 = (c0 >>> 5) & 7;
        for (int s = s0; s < s0 + 4; s++) {
            PanelKQuants.q4_KScales(d, fo, s, (PanelGemm.CHUNK + 2 * (s - s0)) * P, a);
            for (int k = 0; k < 8; k++) {
                ShortVector v = ShortVector.fromMemorySegment(SP, d, fo + 24L * P + 2L * P * (8 * s + k), LE);
                int ao = (32 * (s - s0) + 4 * k) * P;
                v.lanewise(VectorOperators.LSHL, K12).lanewise(VectorOperators.ASHR, K12).intoArray(a16, ao);
                v.lanewise(VectorOperators.LSHL, K8).lanewise(VectorOperators.ASHR, K12).intoArray(a16, ao + P);
                v.lanewise(VectorOperators.LSHL, K4).lanewise(VectorOperators.ASHR, K12).intoArray(a16, ao + 2 * P);
                v.lanewise(VectorOperators.ASHR, K12).intoArray(a16, ao + 3 * P);
            }
        }
    }

    /**
     * Q4_K, one token group over a chunk decoded by {@link #decodeQ4_K}: per 32-column sub-block the w-token tile
     * with d_w = ds (read from a through {@code as}, its segment), then tb = fma(8·ds + mn, xs[t·nb + b], tb) per
     * token — the GEMV's arithmetic.
     */
    static void blocksQ4_K(MemorySegment as, float[] a, int c0, int m, short[] a16, short[] xp, int xo, int w, float[] xd, float[] xs, int t0,
            int nb, float[] tb) {
        for (int cb = 0; cb < m; cb += 32) {
            int b = (c0 + cb) >>> 5;
            int so = (PanelGemm.CHUNK + 2 * (cb >>> 5)) * P;
            switch (w) {
                case 12 -> s12(a16, cb * P, xp, xo + cb * w, tb, t0 * P, as, 4L * so, xd, t0 * nb + b, nb);
                case 8 -> s8(a16, cb * P, xp, xo + cb * w, tb, t0 * P, as, 4L * so, xd, t0 * nb + b, nb);
                default -> s4(a16, cb * P, xp, xo + cb * w, tb, t0 * P, as, 4L * so, xd, t0 * nb + b, nb);
            }
            PanelGemm.minimums(a, so + P, xs, b, nb, t0, w, tb);
        }
    }

    /** The 12-token 16-bit tile over one block of 32 columns (see the class comment). */
    static void s12(short[] a, int ao, short[] xp, int xo, float[] tb, int to, MemorySegment d, long fo, float[] xd, int xdo, int nb) {
        ShortVector c0 = ShortVector.zero(SP), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (int c = 0; c < 32; c++) {
            ShortVector v = ShortVector.fromArray(SP, a, ao + c * P);
            int xb = xo + c * 12;
            c0 = v.mul(ShortVector.broadcast(SP, xp[xb])).lanewise(VectorOperators.ADD, c0);
            c1 = v.mul(ShortVector.broadcast(SP, xp[xb + 1])).lanewise(VectorOperators.ADD, c1);
            c2 = v.mul(ShortVector.broadcast(SP, xp[xb + 2])).lanewise(VectorOperators.ADD, c2);
            c3 = v.mul(ShortVector.broadcast(SP, xp[xb + 3])).lanewise(VectorOperators.ADD, c3);
            c4 = v.mul(ShortVector.broadcast(SP, xp[xb + 4])).lanewise(VectorOperators.ADD, c4);
            c5 = v.mul(ShortVector.broadcast(SP, xp[xb + 5])).lanewise(VectorOperators.ADD, c5);
            c6 = v.mul(ShortVector.broadcast(SP, xp[xb + 6])).lanewise(VectorOperators.ADD, c6);
            c7 = v.mul(ShortVector.broadcast(SP, xp[xb + 7])).lanewise(VectorOperators.ADD, c7);
            c8 = v.mul(ShortVector.broadcast(SP, xp[xb + 8])).lanewise(VectorOperators.ADD, c8);
            c9 = v.mul(ShortVector.broadcast(SP, xp[xb + 9])).lanewise(VectorOperators.ADD, c9);
            c10 = v.mul(ShortVector.broadcast(SP, xp[xb + 10])).lanewise(VectorOperators.ADD, c10);
            c11 = v.mul(ShortVector.broadcast(SP, xp[xb + 11])).lanewise(VectorOperators.ADD, c11);
        }
        FloatVector d0 = FloatVector.fromMemorySegment(F, d, fo, LE);
        FloatVector d1 = FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE);
        float s;
        s = xd[xdo];
        ((FloatVector) c0.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 0)).intoArray(tb, to + 0);
        ((FloatVector) c0.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 0 + L)).intoArray(tb, to + 0 + L);
        s = xd[xdo + 1 * nb];
        ((FloatVector) c1.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 1 * P)).intoArray(tb, to + 1 * P);
        ((FloatVector) c1.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 1 * P + L)).intoArray(tb, to + 1 * P + L);
        s = xd[xdo + 2 * nb];
        ((FloatVector) c2.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 2 * P)).intoArray(tb, to + 2 * P);
        ((FloatVector) c2.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 2 * P + L)).intoArray(tb, to + 2 * P + L);
        s = xd[xdo + 3 * nb];
        ((FloatVector) c3.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 3 * P)).intoArray(tb, to + 3 * P);
        ((FloatVector) c3.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 3 * P + L)).intoArray(tb, to + 3 * P + L);
        s = xd[xdo + 4 * nb];
        ((FloatVector) c4.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 4 * P)).intoArray(tb, to + 4 * P);
        ((FloatVector) c4.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 4 * P + L)).intoArray(tb, to + 4 * P + L);
        s = xd[xdo + 5 * nb];
        ((FloatVector) c5.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 5 * P)).intoArray(tb, to + 5 * P);
        ((FloatVector) c5.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 5 * P + L)).intoArray(tb, to + 5 * P + L);
        s = xd[xdo + 6 * nb];
        ((FloatVector) c6.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 6 * P)).intoArray(tb, to + 6 * P);
        ((FloatVector) c6.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 6 * P + L)).intoArray(tb, to + 6 * P + L);
        s = xd[xdo + 7 * nb];
        ((FloatVector) c7.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 7 * P)).intoArray(tb, to + 7 * P);
        ((FloatVector) c7.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 7 * P + L)).intoArray(tb, to + 7 * P + L);
        s = xd[xdo + 8 * nb];
        ((FloatVector) c8.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 8 * P)).intoArray(tb, to + 8 * P);
        ((FloatVector) c8.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 8 * P + L)).intoArray(tb, to + 8 * P + L);
        s = xd[xdo + 9 * nb];
        ((FloatVector) c9.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 9 * P)).intoArray(tb, to + 9 * P);
        ((FloatVector) c9.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 9 * P + L)).intoArray(tb, to + 9 * P + L);
        s = xd[xdo + 10 * nb];
        ((FloatVector) c10.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 10 * P)).intoArray(tb, to + 10 * P);
        ((FloatVector) c10.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 10 * P + L)).intoArray(tb, to + 10 * P + L);
        s = xd[xdo + 11 * nb];
        ((FloatVector) c11.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 11 * P)).intoArray(tb, to + 11 * P);
        ((FloatVector) c11.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 11 * P + L)).intoArray(tb, to + 11 * P + L);
    }

    /** The 8-token 16-bit tile over one block of 32 columns (see the class comment). */
    static void s8(short[] a, int ao, short[] xp, int xo, float[] tb, int to, MemorySegment d, long fo, float[] xd, int xdo, int nb) {
        ShortVector c0 = ShortVector.zero(SP), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int c = 0; c < 32; c++) {
            ShortVector v = ShortVector.fromArray(SP, a, ao + c * P);
            int xb = xo + c * 8;
            c0 = v.mul(ShortVector.broadcast(SP, xp[xb])).lanewise(VectorOperators.ADD, c0);
            c1 = v.mul(ShortVector.broadcast(SP, xp[xb + 1])).lanewise(VectorOperators.ADD, c1);
            c2 = v.mul(ShortVector.broadcast(SP, xp[xb + 2])).lanewise(VectorOperators.ADD, c2);
            c3 = v.mul(ShortVector.broadcast(SP, xp[xb + 3])).lanewise(VectorOperators.ADD, c3);
            c4 = v.mul(ShortVector.broadcast(SP, xp[xb + 4])).lanewise(VectorOperators.ADD, c4);
            c5 = v.mul(ShortVector.broadcast(SP, xp[xb + 5])).lanewise(VectorOperators.ADD, c5);
            c6 = v.mul(ShortVector.broadcast(SP, xp[xb + 6])).lanewise(VectorOperators.ADD, c6);
            c7 = v.mul(ShortVector.broadcast(SP, xp[xb + 7])).lanewise(VectorOperators.ADD, c7);
        }
        FloatVector d0 = FloatVector.fromMemorySegment(F, d, fo, LE);
        FloatVector d1 = FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE);
        float s;
        s = xd[xdo];
        ((FloatVector) c0.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 0)).intoArray(tb, to + 0);
        ((FloatVector) c0.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 0 + L)).intoArray(tb, to + 0 + L);
        s = xd[xdo + 1 * nb];
        ((FloatVector) c1.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 1 * P)).intoArray(tb, to + 1 * P);
        ((FloatVector) c1.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 1 * P + L)).intoArray(tb, to + 1 * P + L);
        s = xd[xdo + 2 * nb];
        ((FloatVector) c2.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 2 * P)).intoArray(tb, to + 2 * P);
        ((FloatVector) c2.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 2 * P + L)).intoArray(tb, to + 2 * P + L);
        s = xd[xdo + 3 * nb];
        ((FloatVector) c3.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 3 * P)).intoArray(tb, to + 3 * P);
        ((FloatVector) c3.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 3 * P + L)).intoArray(tb, to + 3 * P + L);
        s = xd[xdo + 4 * nb];
        ((FloatVector) c4.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 4 * P)).intoArray(tb, to + 4 * P);
        ((FloatVector) c4.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 4 * P + L)).intoArray(tb, to + 4 * P + L);
        s = xd[xdo + 5 * nb];
        ((FloatVector) c5.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 5 * P)).intoArray(tb, to + 5 * P);
        ((FloatVector) c5.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 5 * P + L)).intoArray(tb, to + 5 * P + L);
        s = xd[xdo + 6 * nb];
        ((FloatVector) c6.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 6 * P)).intoArray(tb, to + 6 * P);
        ((FloatVector) c6.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 6 * P + L)).intoArray(tb, to + 6 * P + L);
        s = xd[xdo + 7 * nb];
        ((FloatVector) c7.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 7 * P)).intoArray(tb, to + 7 * P);
        ((FloatVector) c7.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 7 * P + L)).intoArray(tb, to + 7 * P + L);
    }

    /** The 4-token 16-bit tile over one block of 32 columns (see the class comment). */
    static void s4(short[] a, int ao, short[] xp, int xo, float[] tb, int to, MemorySegment d, long fo, float[] xd, int xdo, int nb) {
        ShortVector c0 = ShortVector.zero(SP), c1 = c0, c2 = c0, c3 = c0;
        for (int c = 0; c < 32; c++) {
            ShortVector v = ShortVector.fromArray(SP, a, ao + c * P);
            int xb = xo + c * 4;
            c0 = v.mul(ShortVector.broadcast(SP, xp[xb])).lanewise(VectorOperators.ADD, c0);
            c1 = v.mul(ShortVector.broadcast(SP, xp[xb + 1])).lanewise(VectorOperators.ADD, c1);
            c2 = v.mul(ShortVector.broadcast(SP, xp[xb + 2])).lanewise(VectorOperators.ADD, c2);
            c3 = v.mul(ShortVector.broadcast(SP, xp[xb + 3])).lanewise(VectorOperators.ADD, c3);
        }
        FloatVector d0 = FloatVector.fromMemorySegment(F, d, fo, LE);
        FloatVector d1 = FloatVector.fromMemorySegment(F, d, fo + 4L * L, LE);
        float s;
        s = xd[xdo];
        ((FloatVector) c0.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 0)).intoArray(tb, to + 0);
        ((FloatVector) c0.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 0 + L)).intoArray(tb, to + 0 + L);
        s = xd[xdo + 1 * nb];
        ((FloatVector) c1.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 1 * P)).intoArray(tb, to + 1 * P);
        ((FloatVector) c1.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 1 * P + L)).intoArray(tb, to + 1 * P + L);
        s = xd[xdo + 2 * nb];
        ((FloatVector) c2.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 2 * P)).intoArray(tb, to + 2 * P);
        ((FloatVector) c2.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 2 * P + L)).intoArray(tb, to + 2 * P + L);
        s = xd[xdo + 3 * nb];
        ((FloatVector) c3.convertShape(VectorOperators.S2F, F, 0)).fma(d0.mul(s), FloatVector.fromArray(F, tb, to + 3 * P)).intoArray(tb, to + 3 * P);
        ((FloatVector) c3.convertShape(VectorOperators.S2F, F, 1)).fma(d1.mul(s), FloatVector.fromArray(F, tb, to + 3 * P + L)).intoArray(tb, to + 3 * P + L);
    }
}
