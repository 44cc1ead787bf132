package io.llmopt.model.paged;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.AttentionHead;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.Q8Rows;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.ScalarKernels;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Attention over a paged binary16 or Q8_0 cache against attention over a paged float32 cache holding the values
 * those caches decode to (binary16 widened, Q8_0 q·d of each position's row), bit for bit: the keys of all three are
 * kept in tiles and every score is the same chain of fmas. Written through the caches' own stores
 * ({@link PagedKvCache#store}, {@link PagedKvCache#storeHalf}, {@link PagedKvCache#storeQ8}) in scattered blocks, for
 * grouped heads (groups of 2, 3 and 8) and one head per kv head, head sizes of 8 (Q8_0 blocks spanning heads), 32 and
 * 64, and blocks of 8 (the scalar tile conversion), 16 and 32 positions.
 */
class ConvertedCacheAttentionTest {
    @Test
    void binary16AndQ8_0CachesGetTheBitsOfAFloat32CacheHoldingTheirValues() {
        Random r = new Random(9);
        for (Kernels kernels : new Kernels[] {KernelProvider.get(), new ScalarKernels()}) {
            for (int headDim : new int[] {8, 32, 64}) {
                for (int[] hk : new int[][] {{4, 2}, {3, 1}, {8, 1}, {4, 4}}) {
                    for (int blockSize : new int[] {8, 16, 32}) {
                        check(config(hk[0], hk[1], headDim), kernels, blockSize, r);
                    }
                }
            }
        }
    }

    private static void check(LlamaConfig c, Kernels kernels, int blockSize, Random r) {
        int kvDim = c.kvDim(), hd = c.headDim(), g = c.groupSize(), qd = c.queryDim(), positions = 150;
        if (kvDim % Q8Rows.BLOCK != 0) {
            return; // q8_0 needs kv rows of whole blocks
        }
        int blocks = (positions + blockSize - 1) / blockSize;
        int[] table = permutation(blocks);
        float[] q = gaussian(r, qd);
        AttentionHead head = new AttentionHead(c, kernels);
        for (KvCacheType type : new KvCacheType[] {KvCacheType.F16, KvCacheType.Q8_0}) {
            PagedKvCache converted = new PagedKvCache(c, blocks, blockSize, type);
            PagedKvCache full = new PagedKvCache(c, blocks, blockSize);
            for (int p = 0; p < positions; p++) {
                float[] k = gaussian(r, kvDim), v = gaussian(r, kvDim);
                if (type == KvCacheType.F16) {
                    converted.storeHalf(0, table, p, k, 0, v, 0);
                } else {
                    converted.storeQ8(0, table, p, k, 0, v, 0);
                }
                full.store(0, table, p, decoded(type, k), 0, decoded(type, v), 0);
            }
            float[] rows = new float[head.rowsLength(blockSize)];
            for (int last : new int[] {0, 17, 64, positions - 1}) {
                for (int first : new int[] {0, Math.max(0, last - 40)}) {
                    for (int kv = 0; kv < c.numKvHeads(); kv++) {
                        int qOff = kv * g * hd;
                        float[] got = new float[qd];
                        head.attendGroup(q, qOff, g, converted.halfKeys(0), converted.halfValues(0), converted.quantKeys(0),
                                converted.keyScales(0), converted.quantValues(0), converted.valueScales(0), table, blockSize, kv, first,
                                last, new float[g * positions], positions, got, qOff, rows);
                        float[] want = new float[qd];
                        head.attendGroup(q, qOff, g, full.keys(0), full.values(0), table, blockSize, kv * full.headOffset(1), first, last,
                                new float[g * positions], positions, want, qOff);
                        for (int i = qOff; i < qOff + g * hd; i++) {
                            assertThat(Float.floatToRawIntBits(got[i]))
                                    .as("%s %s hd=%d group=%d block=%d first=%d last=%d kv=%d: out[%d] %s vs %s", kernels.name(), type, hd, g,
                                            blockSize, first, last, kv, i, got[i], want[i])
                                    .isEqualTo(Float.floatToRawIntBits(want[i]));
                        }
                    }
                }
            }
            checkBlocks(c, head, converted, table, blockSize, rows, r);
        }
    }

    /**
     * A block of prompt tokens over the converted cache ({@link AttentionHead#attendBlock}: each run of blocks converted
     * once for all the tokens) against one {@link AttentionHead#attendGroup} per token, bit for bit, with and without a
     * sliding window.
     */
    private static void checkBlocks(LlamaConfig c, AttentionHead head, PagedKvCache cache, int[] table, int blockSize, float[] rows,
            Random r) {
        int hd = c.headDim(), g = c.groupSize(), qd = c.queryDim(), ctx = 150;
        for (int window : new int[] {0, 50}) {
            for (int tokens : new int[] {2, 4}) {
                for (int pos0 : new int[] {0, 37, 130}) {
                    float[] q = gaussian(r, tokens * qd);
                    for (int kv = 0; kv < c.numKvHeads(); kv++) {
                        float[] got = new float[tokens * qd], want = new float[tokens * qd];
                        head.attendBlock(q, kv * g * hd, qd, tokens, g, cache.halfKeys(0), cache.halfValues(0), cache.quantKeys(0),
                                cache.keyScales(0), cache.quantValues(0), cache.valueScales(0), table, blockSize, kv, pos0, window,
                                new float[tokens * g * ctx], ctx, got, rows);
                        for (int t = 0; t < tokens; t++) {
                            int pos = pos0 + t, first = window > 0 ? Math.max(0, pos - window + 1) : 0, o = t * qd + kv * g * hd;
                            head.attendGroup(q, o, g, cache.halfKeys(0), cache.halfValues(0), cache.quantKeys(0), cache.keyScales(0),
                                    cache.quantValues(0), cache.valueScales(0), table, blockSize, kv, first, pos, new float[g * ctx], ctx, want, o,
                                    rows);
                        }
                        for (int i = 0; i < want.length; i++) {
                            assertThat(Float.floatToRawIntBits(got[i]))
                                    .as("%s hd=%d group=%d block=%d window=%d tokens=%d pos0=%d kv=%d: out[%d] %s vs %s", cache.type(), hd, g,
                                            blockSize, window, tokens, pos0, kv, i, got[i], want[i])
                                    .isEqualTo(Float.floatToRawIntBits(want[i]));
                        }
                    }
                }
            }
        }
    }

    /** The float32 values a row x reads back as from a cache of this type. */
    private static float[] decoded(KvCacheType type, float[] x) {
        float[] y = new float[x.length];
        if (type == KvCacheType.F16) {
            for (int i = 0; i < x.length; i++) {
                y[i] = Float.float16ToFloat(Float.floatToFloat16(x[i]));
            }
            return y;
        }
        byte[] q = new byte[x.length];
        short[] d = new short[x.length / Q8Rows.BLOCK];
        Q8Rows.quantize(x, 0, q, d, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            y[i] = q[i] * Float.float16ToFloat(d[i / Q8Rows.BLOCK]);
        }
        return y;
    }

    /** Blocks in a scattered order: b → (7b + 3) mod n, a permutation while 7 does not divide n. */
    private static int[] permutation(int n) {
        int[] table = new int[n];
        for (int b = 0; b < n; b++) {
            table[b] = (7 * b + 3) % n;
        }
        return table;
    }

    private static LlamaConfig config(int heads, int kvHeads, int headDim) {
        return new LlamaConfig("llama", heads * headDim, 64, 1, heads, kvHeads, headDim, 32, 1e-5f, 10000, headDim,
                RopeLayout.INTERLEAVED, RopeScaling.NONE, 512, false, false, 0);
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
