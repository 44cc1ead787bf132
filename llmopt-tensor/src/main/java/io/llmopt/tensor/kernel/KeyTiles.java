package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * Attention scores against keys stored in tiles ({@link Kernels#tileDots}): a tile holds {@code width} positions'
 * keys dimension-major, [n][width], so L consecutive positions of one dimension are one vector and a score is one
 * lane's chain of fmas over the dimensions: no reduction across lanes, and the bits of the scalar specification at
 * every vector width. A query element is broadcast once per dimension for several position groups, and a tile
 * row is loaded once for several query heads, so the loop is bound by fmas rather than by loads (one Zen 5 core,
 * 8 heads of 64 against 64-position chunks in L1: 1.33 ns per position and head with rows and butterfly
 * reductions, 0.50 with tiles; a throwaway harness, 2026-11-24).
 *
 * <p>Legend: W tile width, L lanes, n head size; a group is the L lanes of one tile that start at a multiple of L
 * (so W must be a multiple of L; other widths take the scalar specification). Groups at the ends of the range are
 * computed whole and only their lanes in range are copied out; a block that runs out of groups or heads repeats its
 * last one, which stores the same values again.
 *
 * <p>Accumulators start from {@code FloatVector.zero(F)}, not from the constant {@link Simd#ZERO}: a loop phi that
 * merges a constant vector object with computed vectors keeps C2 from scalarizing it, and every fma then boxed its
 * result (950 KB allocated per decoded token of stories260K).
 */
final class KeyTiles {
    private KeyTiles() {
    }

    static void dots(float[] q, int qo, int qs, int heads, float[] t, int to, int width, int lane, int count, int n,
            float[] out, int oo, int os) {
        dots(q, qo, qs, heads, t, null, to, width, lane, count, n, out, oo, os);
    }

    /**
     * {@link Kernels#tileDotsAt}: tile i at t[tiles[to + i]] where tiles is non-null (the tiles of a paged cache's
     * blocks), else at t[to + i·n·width] ({@link Kernels#tileDots}).
     */
    static void dots(float[] q, int qo, int qs, int heads, float[] t, int[] tiles, int to, int width, int lane, int count, int n,
            float[] out, int oo, int os) {
        if (count <= 0 || heads <= 0) {
            return;
        }
        if (width % L != 0) {
            scalar(q, qo, qs, heads, t, tiles, to, width, lane, count, n, out, oo, os);
            return;
        }
        int start = lane - lane % L, end = lane + count; // lanes counted from the tile at t[to]
        int groups = (end - start + L - 1) / L;
        int g = 0;
        if (heads == 1) {
            for (; g < groups; g += 4) {
                int l0 = start + g * L, l1 = start + Math.min(g + 1, groups - 1) * L;
                int l2 = start + Math.min(g + 2, groups - 1) * L, l3 = start + Math.min(g + 3, groups - 1) * L;
                block1x4(q, qo, t, tiles, to, width, n, l0, l1, l2, l3, lane, end, out, oo);
            }
            return;
        }
        int full0 = lane % L == 0 ? 0 : 1, full1 = groups - (end % L == 0 ? 0 : 1); // groups with every lane in range
        while (g < groups) {
            if (g >= full0 && g + 4 <= full1) {
                int l0 = start + g * L;
                for (int h = 0; h < heads; h += 4) {
                    int h1 = Math.min(h + 1, heads - 1), h2 = Math.min(h + 2, heads - 1), h3 = Math.min(h + 3, heads - 1);
                    block4x4(q, qo + h * qs, qo + h1 * qs, qo + h2 * qs, qo + h3 * qs, t, tiles, to, width, n, l0, lane, out, oo + h * os,
                            oo + h1 * os, oo + h2 * os, oo + h3 * os);
                }
                g += 4;
            } else {
                for (int h = 0; h < heads; h += 8) {
                    block8x1(q, qo, qs, h, heads, t, tiles, to, width, n, start + g * L, lane, end, out, oo, os);
                }
                g++;
            }
        }
    }

    /** Offset in t of lane l (counted from the first tile) in dimension 0: tiles as in {@link #dots(float[], int, int, int, float[], int[], int, int, int, int, int, float[], int, int)}. */
    private static int base(int[] tiles, int to, int width, int n, int l) {
        return tiles == null ? to + l / width * n * width + l % width : tiles[to + l / width] + l % width;
    }

    /**
     * Four heads (query offsets qa..qd, output rows oa..od) × the four groups from lane l0 on, every lane of them in
     * range. The edges of a range go to {@link #block8x1}: with edge stores of its own this method outgrew C2's node
     * budget, and the fmas it then left as calls boxed their vectors (900 KB per decoded token).
     */
    private static void block4x4(float[] q, int qa, int qb, int qc, int qd, float[] t, int[] tiles, int to, int width, int n, int l0,
            int lane, float[] out, int oa, int ob, int oc, int od) {
        int l1 = l0 + L, l2 = l0 + 2 * L, l3 = l0 + 3 * L;
        int k0 = base(tiles, to, width, n, l0), k1 = base(tiles, to, width, n, l1), k2 = base(tiles, to, width, n, l2), k3 = base(tiles, to, width, n, l3);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, d0 = a0, d1 = a0, d2 = a0, d3 = a0;
        for (int d = 0, r = 0; d < n; d++, r += width) {
            FloatVector x0 = FloatVector.fromArray(F, t, k0 + r), x1 = FloatVector.fromArray(F, t, k1 + r);
            FloatVector x2 = FloatVector.fromArray(F, t, k2 + r), x3 = FloatVector.fromArray(F, t, k3 + r);
            FloatVector va = FloatVector.broadcast(F, q[qa + d]), vb = FloatVector.broadcast(F, q[qb + d]);
            FloatVector vc = FloatVector.broadcast(F, q[qc + d]), vd = FloatVector.broadcast(F, q[qd + d]);
            a0 = x0.fma(va, a0);
            a1 = x1.fma(va, a1);
            a2 = x2.fma(va, a2);
            a3 = x3.fma(va, a3);
            b0 = x0.fma(vb, b0);
            b1 = x1.fma(vb, b1);
            b2 = x2.fma(vb, b2);
            b3 = x3.fma(vb, b3);
            c0 = x0.fma(vc, c0);
            c1 = x1.fma(vc, c1);
            c2 = x2.fma(vc, c2);
            c3 = x3.fma(vc, c3);
            d0 = x0.fma(vd, d0);
            d1 = x1.fma(vd, d1);
            d2 = x2.fma(vd, d2);
            d3 = x3.fma(vd, d3);
        }
        Simd.ZERO.add(a0).intoArray(out, oa + l0 - lane);
        Simd.ZERO.add(a1).intoArray(out, oa + l1 - lane);
        Simd.ZERO.add(a2).intoArray(out, oa + l2 - lane);
        Simd.ZERO.add(a3).intoArray(out, oa + l3 - lane);
        Simd.ZERO.add(b0).intoArray(out, ob + l0 - lane);
        Simd.ZERO.add(b1).intoArray(out, ob + l1 - lane);
        Simd.ZERO.add(b2).intoArray(out, ob + l2 - lane);
        Simd.ZERO.add(b3).intoArray(out, ob + l3 - lane);
        Simd.ZERO.add(c0).intoArray(out, oc + l0 - lane);
        Simd.ZERO.add(c1).intoArray(out, oc + l1 - lane);
        Simd.ZERO.add(c2).intoArray(out, oc + l2 - lane);
        Simd.ZERO.add(c3).intoArray(out, oc + l3 - lane);
        Simd.ZERO.add(d0).intoArray(out, od + l0 - lane);
        Simd.ZERO.add(d1).intoArray(out, od + l1 - lane);
        Simd.ZERO.add(d2).intoArray(out, od + l2 - lane);
        Simd.ZERO.add(d3).intoArray(out, od + l3 - lane);
    }

    /** Heads h .. h + 7 (the last one repeated past {@code heads}) × the group at lane l0. */
    private static void block8x1(float[] q, int qo, int qs, int h, int heads, float[] t, int[] tiles, int to, int width, int n, int l0,
            int lane, int end, float[] out, int oo, int os) {
        int last = heads - 1;
        int q0 = qo + h * qs, q1 = qo + Math.min(h + 1, last) * qs, q2 = qo + Math.min(h + 2, last) * qs, q3 = qo + Math.min(h + 3, last) * qs;
        int q4 = qo + Math.min(h + 4, last) * qs, q5 = qo + Math.min(h + 5, last) * qs, q6 = qo + Math.min(h + 6, last) * qs;
        int q7 = qo + Math.min(h + 7, last) * qs;
        int k = base(tiles, to, width, n, l0);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int d = 0, r = k; d < n; d++, r += width) {
            FloatVector x = FloatVector.fromArray(F, t, r);
            a0 = x.fma(FloatVector.broadcast(F, q[q0 + d]), a0);
            a1 = x.fma(FloatVector.broadcast(F, q[q1 + d]), a1);
            a2 = x.fma(FloatVector.broadcast(F, q[q2 + d]), a2);
            a3 = x.fma(FloatVector.broadcast(F, q[q3 + d]), a3);
            a4 = x.fma(FloatVector.broadcast(F, q[q4 + d]), a4);
            a5 = x.fma(FloatVector.broadcast(F, q[q5 + d]), a5);
            a6 = x.fma(FloatVector.broadcast(F, q[q6 + d]), a6);
            a7 = x.fma(FloatVector.broadcast(F, q[q7 + d]), a7);
        }
        if (l0 >= lane && l0 + L <= end) { // every lane in range: plain stores (a repeated head stores its values again)
            Simd.ZERO.add(a0).intoArray(out, oo + h * os + l0 - lane);
            Simd.ZERO.add(a1).intoArray(out, oo + Math.min(h + 1, last) * os + l0 - lane);
            Simd.ZERO.add(a2).intoArray(out, oo + Math.min(h + 2, last) * os + l0 - lane);
            Simd.ZERO.add(a3).intoArray(out, oo + Math.min(h + 3, last) * os + l0 - lane);
            Simd.ZERO.add(a4).intoArray(out, oo + Math.min(h + 4, last) * os + l0 - lane);
            Simd.ZERO.add(a5).intoArray(out, oo + Math.min(h + 5, last) * os + l0 - lane);
            Simd.ZERO.add(a6).intoArray(out, oo + Math.min(h + 6, last) * os + l0 - lane);
            Simd.ZERO.add(a7).intoArray(out, oo + Math.min(h + 7, last) * os + l0 - lane);
            return;
        }
        float[] edge = EDGE.get();
        Simd.ZERO.add(a0).intoArray(edge, 0);
        Simd.ZERO.add(a1).intoArray(edge, L);
        Simd.ZERO.add(a2).intoArray(edge, 2 * L);
        Simd.ZERO.add(a3).intoArray(edge, 3 * L);
        Simd.ZERO.add(a4).intoArray(edge, 4 * L);
        Simd.ZERO.add(a5).intoArray(edge, 5 * L);
        Simd.ZERO.add(a6).intoArray(edge, 6 * L);
        Simd.ZERO.add(a7).intoArray(edge, 7 * L);
        for (int i = 0; i < 8 && h + i < heads; i++) {
            copyInRange(edge, i * L, 1, l0, lane, end, out, oo + (h + i) * os);
        }
    }

    /** One head × the groups at lanes l0 .. l3 (repeats allowed). */
    private static void block1x4(float[] q, int qo, float[] t, int[] tiles, int to, int width, int n, int l0, int l1, int l2, int l3,
            int lane, int end, float[] out, int oo) {
        int k0 = base(tiles, to, width, n, l0), k1 = base(tiles, to, width, n, l1), k2 = base(tiles, to, width, n, l2), k3 = base(tiles, to, width, n, l3);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        for (int d = 0, r = 0; d < n; d++, r += width) {
            FloatVector v = FloatVector.broadcast(F, q[qo + d]);
            a0 = FloatVector.fromArray(F, t, k0 + r).fma(v, a0);
            a1 = FloatVector.fromArray(F, t, k1 + r).fma(v, a1);
            a2 = FloatVector.fromArray(F, t, k2 + r).fma(v, a2);
            a3 = FloatVector.fromArray(F, t, k3 + r).fma(v, a3);
        }
        if (l0 >= lane && l3 + L <= end) { // every lane in range (repeated groups store their values again)
            Simd.ZERO.add(a0).intoArray(out, oo + l0 - lane);
            Simd.ZERO.add(a1).intoArray(out, oo + l1 - lane);
            Simd.ZERO.add(a2).intoArray(out, oo + l2 - lane);
            Simd.ZERO.add(a3).intoArray(out, oo + l3 - lane);
            return;
        }
        float[] edge = EDGE.get();
        Simd.ZERO.add(a0).intoArray(edge, 0);
        Simd.ZERO.add(a1).intoArray(edge, L);
        Simd.ZERO.add(a2).intoArray(edge, 2 * L);
        Simd.ZERO.add(a3).intoArray(edge, 3 * L);
        copyInRange(edge, 0, 1, l0, lane, end, out, oo);
        if (l1 != l0) {
            copyInRange(edge, L, 1, l1, lane, end, out, oo);
        }
        if (l2 != l1) {
            copyInRange(edge, 2 * L, 1, l2, lane, end, out, oo);
        }
        if (l3 != l2) {
            copyInRange(edge, 3 * L, 1, l3, lane, end, out, oo);
        }
    }

    /**
     * out[o + l − lane] ← edge[from + l − lg] for the lanes l in [lane, end) of {@code groups} consecutive groups from
     * lane lg (their vectors at edge[from ..], one after another). The vectors reach this through a float array, not
     * as parameters: C2 boxes a vector passed to a call it does not inline (see {@link Simd}).
     */
    private static void copyInRange(float[] edge, int from, int groups, int lg, int lane, int end, float[] out, int o) {
        for (int l = Math.max(lg, lane), hi = Math.min(lg + groups * L, end); l < hi; l++) {
            out[o + l - lane] = edge[from + l - lg];
        }
    }

    /** Per thread: the accumulators of a block whose groups are not all in range (16 vectors). */
    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[16 * L]);

    /** The specification ({@link Kernels#tileDots}), for widths that are not a multiple of L. */
    private static void scalar(float[] q, int qo, int qs, int heads, float[] t, int[] tiles, int to, int width, int lane, int count, int n,
            float[] out, int oo, int os) {
        for (int i = 0; i < count; i++) {
            int k = base(tiles, to, width, n, lane + i);
            for (int h = 0; h < heads; h++) {
                float s = 0f;
                for (int d = 0; d < n; d++) {
                    s = Math.fma(q[qo + h * qs + d], t[k + d * width], s);
                }
                out[oo + h * os + i] = s;
            }
        }
    }
}
