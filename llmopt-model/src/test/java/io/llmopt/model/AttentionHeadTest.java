package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.ScalarKernels;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link AttentionHead#attendPair} against two {@link AttentionHead#attend} calls, {@link AttentionHead#attendGroup}
 * and {@link AttentionHead#attendBlock} against one per head and token, bit for bit: heads of one kv head
 * (grouped-query) and of two (multi-head), head sizes that do and do not take the kernels' blocks (16, 64 and 128
 * floats are 4L or 8L at some vector width; 20 is neither), key counts below and across a tile and a chunk, a
 * contiguous cache ({@link KvCache}: key tiles, value rows) and a paged one with its blocks out of order. Then
 * {@link AttentionHead#attend} on both layouts against softmax attention computed in double precision from the
 * keys and values as written, which checks the layouts themselves.
 */
class AttentionHeadTest {
    private static final int BLOCK = 8;
    private static final int POSITIONS = 80;

    @Test
    void aPairOfHeadsGetsTheBitsOfOneHeadAtATime() {
        Random r = new Random(5);
        for (Kernels kernels : new Kernels[] {KernelProvider.get(), new ScalarKernels()}) {
            for (int headDim : new int[] {16, 20, 64, 128}) {
                for (int kvHeads : new int[] {2, 4}) { // 4 query heads: pairs share a kv head, or not
                    LlamaConfig c = config(4, kvHeads, headDim);
                    check(c, new AttentionHead(c, kernels), r, kernels.name());
                }
            }
        }
    }

    @Test
    void aGroupOfHeadsGetsTheBitsOfOneHeadAtATime() {
        Random r = new Random(6);
        for (Kernels kernels : new Kernels[] {KernelProvider.get(), new ScalarKernels()}) {
            for (int headDim : new int[] {16, 20, 64}) {
                for (int[] hk : new int[][] {{4, 1}, {4, 2}, {3, 1}, {8, 1}}) { // groups of 4, 2, 3 (odd) and 8 heads
                    LlamaConfig c = config(hk[0], hk[1], headDim);
                    checkGroups(c, new AttentionHead(c, kernels), r, kernels.name());
                }
            }
        }
    }

    @Test
    void bothLayoutsMatchAttentionInDoublePrecision() {
        Random r = new Random(7);
        for (Kernels kernels : new Kernels[] {KernelProvider.get(), new ScalarKernels()}) {
            for (int headDim : new int[] {16, 20, 64}) {
                LlamaConfig c = config(4, 2, headDim);
                int kvDim = c.kvDim(), hd = c.headDim(), positions = 3 * POSITIONS;
                float[] q = gaussian(r, hd);
                float[] keys = gaussian(r, positions * kvDim);
                float[] values = gaussian(r, positions * kvDim);
                KvCache cache = contiguous(c, keys, values, positions + 5);
                int[] table = permutation(positions / BLOCK);
                float[][] paged = paged(c, keys, values, table);
                AttentionHead head = new AttentionHead(c, kernels);
                for (int last : new int[] {0, 15, 16, 64, 130, positions - 1}) {
                    for (int first : new int[] {0, Math.max(0, last - 70)}) {
                        for (int kv = 0; kv < 2; kv++) {
                            double[] want = exact(q, keys, values, kvDim, kv * hd, hd, first, last);
                            float[] got = new float[hd];
                            head.attend(q, 0, cache.keys(0), cache.values(0), null, 0, cache.headOffset(kv), first, last,
                                    new float[positions], got, 0);
                            float[] gotPaged = new float[hd];
                            head.attend(q, 0, paged[0], paged[1], table, BLOCK, kv * BLOCK * hd, first, last, new float[positions], gotPaged, 0);
                            for (int i = 0; i < hd; i++) {
                                String what = kernels.name() + " hd=" + hd + " first=" + first + " last=" + last + " kv=" + kv + " out[" + i + "]";
                                assertThat((double) got[i]).as("contiguous " + what).isCloseTo(want[i], org.assertj.core.api.Assertions.within(2e-5));
                                assertThat((double) gotPaged[i]).as("paged " + what).isCloseTo(want[i], org.assertj.core.api.Assertions.within(2e-5));
                            }
                        }
                    }
                }
            }
        }
    }

    /** softmax(q·kᵀ/√hd)·v over positions first .. last of the kv head at kvOff of rows [position][kvDim], in double. */
    private static double[] exact(float[] q, float[] keys, float[] values, int kvDim, int kvOff, int hd, int first, int last) {
        double[] e = new double[last - first + 1];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int p = first; p <= last; p++) {
            double dot = 0;
            for (int d = 0; d < hd; d++) {
                dot += (double) q[d] * keys[p * kvDim + kvOff + d];
            }
            e[p - first] = dot / Math.sqrt(hd);
            max = Math.max(max, e[p - first]);
        }
        for (int i = 0; i < e.length; i++) {
            e[i] = Math.exp(e[i] - max);
            sum += e[i];
        }
        double[] out = new double[hd];
        for (int p = first; p <= last; p++) {
            for (int d = 0; d < hd; d++) {
                out[d] += e[p - first] / sum * values[p * kvDim + kvOff + d];
            }
        }
        return out;
    }

    /** A contiguous cache of ctx positions holding rows [position][kvDim] at positions 0, 1, …, written by {@link KvCache#store}. */
    private static KvCache contiguous(LlamaConfig c, float[] keys, float[] values, int ctx) {
        KvCache cache = new KvCache(c, ctx);
        for (int p = 0; p < keys.length / c.kvDim(); p++) {
            cache.store(0, p, keys, p * c.kvDim(), values, p * c.kvDim());
        }
        return cache;
    }

    /**
     * Rows [position][kvDim] laid out as the paged float32 cache keeps them ({@code PagedKvCache}): position p in
     * block table[p / BLOCK], each block [kv head][headDim][BLOCK] for keys and [kv head][BLOCK][headDim] for values.
     */
    private static float[][] paged(LlamaConfig c, float[] keys, float[] values, int[] table) {
        return paged(c, keys, values, table, BLOCK);
    }

    /** {@link #paged(LlamaConfig, float[], float[], int[])} with blocks of {@code bs} positions. */
    private static float[][] paged(LlamaConfig c, float[] keys, float[] values, int[] table, int bs) {
        int kvDim = c.kvDim(), hd = c.headDim();
        float[] k = new float[table.length * bs * kvDim], v = new float[k.length];
        for (int p = 0; p < table.length * bs; p++) {
            int block = table[p / bs] * bs * kvDim, slot = p % bs;
            for (int g = 0; g < c.numKvHeads(); g++) {
                for (int d = 0; d < hd; d++) {
                    k[block + g * bs * hd + d * bs + slot] = keys[p * kvDim + g * hd + d];
                    v[block + g * bs * hd + slot * hd + d] = values[p * kvDim + g * hd + d];
                }
            }
        }
        return new float[][] {k, v};
    }

    /** Blocks in a scattered order: b → (7b + 3) mod n (n not a multiple of 7). */
    private static int[] permutation(int n) {
        int[] table = new int[n];
        for (int b = 0; b < n; b++) {
            table[b] = (7 * b + 3) % n;
        }
        return table;
    }

    @Test
    void aBlockOfPromptTokensGetsTheBitsOfOneTokenAndHeadAtATime() {
        Random r = new Random(8);
        for (Kernels kernels : new Kernels[] {KernelProvider.get(), new ScalarKernels()}) {
            for (int headDim : new int[] {16, 20, 64}) {
                for (int[] hk : new int[][] {{4, 2}, {3, 1}, {8, 1}, {4, 4}}) { // groups of 2, 3 (odd), 8 heads and 1
                    LlamaConfig c = config(hk[0], hk[1], headDim);
                    int kvDim = c.kvDim(), hd = c.headDim(), g = c.groupSize(), qd = c.queryDim(), ctx = 3 * POSITIONS;
                    float[] keys = gaussian(r, ctx * kvDim);
                    float[] values = gaussian(r, ctx * kvDim);
                    KvCache cache = contiguous(c, keys, values, ctx);
                    AttentionHead head = new AttentionHead(c, kernels);
                    for (int window : new int[] {0, 50}) {
                        for (int tokens : new int[] {1, 3, 4}) {
                            for (int pos0 : new int[] {0, 37, 63, 130}) {
                                float[] q = gaussian(r, tokens * qd);
                                for (int kv = 0; kv < c.numKvHeads(); kv++) {
                                    float[] got = new float[tokens * qd];
                                    head.attendBlock(q, kv * g * hd, qd, tokens, g, cache.keys(0), cache.values(0), cache.headOffset(kv), pos0,
                                            window, new float[tokens * g * ctx], ctx, got);
                                    float[] want = new float[tokens * qd];
                                    for (int t = 0; t < tokens; t++) {
                                        int pos = pos0 + t, first = window > 0 ? Math.max(0, pos - window + 1) : 0;
                                        for (int h = 0; h < g; h++) {
                                            int o = t * qd + (kv * g + h) * hd;
                                            head.attend(q, o, cache.keys(0), cache.values(0), null, 0, cache.headOffset(kv), first, pos,
                                                    new float[ctx], want, o);
                                        }
                                    }
                                    for (int i = 0; i < want.length; i++) {
                                        assertThat(Float.floatToRawIntBits(got[i]))
                                                .as("%s hd=%d group=%d window=%d tokens=%d pos0=%d kv=%d: out[%d] %s vs %s", kernels.name(), hd,
                                                        g, window, tokens, pos0, kv, i, got[i], want[i])
                                                .isEqualTo(Float.floatToRawIntBits(want[i]));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * A block of prompt tokens over a paged float32 cache (blocks of 8, 16, 32 and 64 positions in scattered order, the
     * scores of a run of blocks in one {@code tileDotsAt} call) gets the bits of one {@link AttentionHead#attend} per
     * token and head, and the grouped decode path ({@code attendGroup} with a tiles scratch) those of one per head.
     */
    @Test
    void aBlockOfPromptTokensOverPagedBlocksGetsTheBitsOfOneTokenAndHeadAtATime() {
        Random r = new Random(9);
        for (Kernels kernels : new Kernels[] {KernelProvider.get(), new ScalarKernels()}) {
            for (int headDim : new int[] {20, 64}) {
                for (int[] hk : new int[][] {{4, 2}, {3, 1}, {8, 1}, {4, 4}}) { // groups of 2, 3, 8 and 1
                    LlamaConfig c = config(hk[0], hk[1], headDim);
                    int kvDim = c.kvDim(), hd = c.headDim(), g = c.groupSize(), qd = c.queryDim(), ctx = 256; // 256 / bs blocks: never a multiple of 7 (permutation)
                    float[] keys = gaussian(r, ctx * kvDim);
                    float[] values = gaussian(r, ctx * kvDim);
                    AttentionHead head = new AttentionHead(c, kernels);
                    for (int bs : new int[] {8, 16, 32, 64}) {
                        int[] table = permutation(ctx / bs);
                        float[][] paged = paged(c, keys, values, table, bs);
                        int[] tiles = new int[ctx / bs + 1];
                        for (int window : new int[] {0, 50}) {
                            for (int tokens : new int[] {1, 3, 4}) {
                                for (int pos0 : new int[] {0, 37, 63, 130}) {
                                    float[] q = gaussian(r, tokens * qd);
                                    for (int kv = 0; kv < c.numKvHeads(); kv++) {
                                        float[] got = new float[tokens * qd], single = new float[tokens * qd], want = new float[tokens * qd];
                                        head.attendBlock(q, kv * g * hd, qd, tokens, g, paged[0], paged[1], table, bs, kv * bs * hd, pos0,
                                                window, new float[tokens * g * ctx], ctx, got, tiles);
                                        for (int t = 0; t < tokens; t++) {
                                            int pos = pos0 + t, first = window > 0 ? Math.max(0, pos - window + 1) : 0;
                                            int o = t * qd + kv * g * hd;
                                            head.attendGroup(q, o, g, paged[0], paged[1], table, bs, kv * bs * hd, first, pos, new float[g * ctx], ctx,
                                                    single, o, tiles);
                                            for (int h = 0; h < g; h++) {
                                                head.attend(q, o + h * hd, paged[0], paged[1], table, bs, kv * bs * hd, first, pos, new float[ctx], want,
                                                        o + h * hd);
                                            }
                                        }
                                        for (int i = 0; i < want.length; i++) {
                                            String what = String.format("%s hd=%d group=%d bs=%d window=%d tokens=%d pos0=%d kv=%d: out[%d]", kernels.name(),
                                                    hd, g, bs, window, tokens, pos0, kv, i);
                                            assertThat(Float.floatToRawIntBits(got[i])).as("block " + what + " %s vs %s", got[i], want[i])
                                                    .isEqualTo(Float.floatToRawIntBits(want[i]));
                                            assertThat(Float.floatToRawIntBits(single[i])).as("group " + what + " %s vs %s", single[i], want[i])
                                                    .isEqualTo(Float.floatToRawIntBits(want[i]));
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static LlamaConfig config(int heads, int kvHeads, int headDim) {
        return new LlamaConfig("llama", heads * headDim, 64, 1, heads, kvHeads, headDim, 32, 1e-5f, 10000, headDim,
                RopeLayout.INTERLEAVED, RopeScaling.NONE, 4 * POSITIONS, false, false, 0);
    }

    private static void checkGroups(LlamaConfig c, AttentionHead head, Random r, String kernels) {
        int kvDim = c.kvDim(), qd = c.queryDim(), g = c.groupSize(), hd = c.headDim();
        int positions = 3 * POSITIONS; // more than two chunks of AttentionHead.CHUNK
        float[] q = gaussian(r, qd);
        float[] keys = gaussian(r, positions * kvDim);
        float[] values = gaussian(r, positions * kvDim);
        Layout[] layouts = layouts(c, keys, values, positions);
        for (Layout at : layouts) {
            for (int last : new int[] {0, 17, 64, 130, positions - 1}) {
                for (int first : new int[] {0, Math.max(0, last - 70)}) {
                    for (int kv = 0; kv < c.numKvHeads(); kv++) {
                        int qOff = kv * g * hd;
                        float[] got = new float[qd];
                        head.attendGroup(q, qOff, g, at.keys, at.values, at.table, BLOCK, at.offset(kv), first, last, new float[g * positions],
                                positions, got, qOff);
                        float[] want = new float[qd];
                        for (int h = 0; h < g; h++) {
                            head.attend(q, qOff + h * hd, at.keys, at.values, at.table, BLOCK, at.offset(kv), first, last, new float[positions],
                                    want, qOff + h * hd);
                        }
                        for (int i = qOff; i < qOff + g * hd; i++) {
                            assertThat(Float.floatToRawIntBits(got[i]))
                                    .as("%s hd=%d group=%d paged=%s first=%d last=%d kv=%d: out[%d] %s vs %s", kernels, hd, g, at.table != null,
                                            first, last, kv, i, got[i], want[i])
                                    .isEqualTo(Float.floatToRawIntBits(want[i]));
                        }
                    }
                }
            }
        }
    }

    private static void check(LlamaConfig c, AttentionHead head, Random r, String kernels) {
        int kvDim = c.kvDim();
        int qd = c.queryDim();
        float[] q = gaussian(r, qd);
        float[] keys = gaussian(r, POSITIONS * kvDim);
        float[] values = gaussian(r, POSITIONS * kvDim);
        for (Layout at : layouts(c, keys, values, POSITIONS)) {
            for (int last : new int[] {0, 5, 16, 33, 79}) {
                for (int first : new int[] {0, Math.max(0, last - 20)}) {
                    for (int h = 0; h < 4; h += 2) {
                        int kvA = at.offset(h / c.groupSize()), kvB = at.offset((h + 1) / c.groupSize());
                        int qA = h * c.headDim(), qB = qA + c.headDim();
                        float[] got = new float[qd];
                        float[] s = new float[2 * POSITIONS];
                        head.attendPair(q, qA, qB, at.keys, at.values, at.table, BLOCK, kvA, kvB, first, last, s, POSITIONS, got, qA, qB);
                        float[] want = new float[qd];
                        float[] s1 = new float[POSITIONS];
                        head.attend(q, qA, at.keys, at.values, at.table, BLOCK, kvA, first, last, s1, want, qA);
                        head.attend(q, qB, at.keys, at.values, at.table, BLOCK, kvB, first, last, s1, want, qB);
                        for (int i = 0; i < qd; i++) {
                            assertThat(Float.floatToRawIntBits(got[i]))
                                    .as("%s hd=%d kvHeads=%d paged=%s first=%d last=%d heads %d,%d: out[%d] %s vs %s", kernels, c.headDim(),
                                            c.numKvHeads(), at.table != null, first, last, h, h + 1, i, got[i], want[i])
                                    .isEqualTo(Float.floatToRawIntBits(want[i]));
                        }
                    }
                }
            }
        }
    }

    /** A float32 cache's arrays, its block table (null: contiguous) and the offset of kv head g's keys and values. */
    private record Layout(float[] keys, float[] values, int[] table, int headStride) {
        int offset(int g) {
            return g * headStride;
        }
    }

    /** The same rows [position][kvDim] in a contiguous cache ({@link KvCache#store}) and in scattered paged blocks. */
    private static Layout[] layouts(LlamaConfig c, float[] keys, float[] values, int positions) {
        KvCache cache = contiguous(c, keys, values, positions);
        int[] table = permutation(positions / BLOCK);
        float[][] paged = paged(c, keys, values, table);
        return new Layout[] {new Layout(cache.keys(0), cache.values(0), null, cache.headOffset(1)),
                new Layout(paged[0], paged[1], table, BLOCK * c.headDim())};
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
