package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.ScalarKernels;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link AttentionHead#attendPair} against two {@link AttentionHead#attend} calls and {@link AttentionHead#attendGroup}
 * against one per head, bit for bit: heads of one kv head
 * (grouped-query) and of two (multi-head), head sizes that do and do not take the kernels' blocks (16, 64 and 128
 * floats are 4L or 8L at some vector width; 20 is neither), key counts below and across a block of rows, a
 * contiguous cache and a paged one with its blocks out of order.
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
    void kvHeadMajorRowsGiveTheBitsOfPositionMajorRows() {
        Random r = new Random(7);
        for (Kernels kernels : new Kernels[] {KernelProvider.get(), new ScalarKernels()}) {
            for (int headDim : new int[] {16, 20, 64}) {
                for (int[] hk : new int[][] {{4, 1}, {4, 2}, {3, 1}, {8, 2}}) {
                    LlamaConfig c = config(hk[0], hk[1], headDim);
                    int kvDim = c.kvDim(), hd = c.headDim(), g = c.groupSize(), qd = c.queryDim(), positions = 3 * POSITIONS;
                    float[] q = gaussian(r, qd);
                    float[] keys = gaussian(r, positions * kvDim);
                    float[] values = gaussian(r, positions * kvDim);
                    int ctx = positions + 5; // the cache is longer than the positions written
                    float[] keysByHead = byHead(keys, c, positions, ctx);
                    float[] valuesByHead = byHead(values, c, positions, ctx);
                    AttentionHead byPosition = new AttentionHead(c, kernels);
                    AttentionHead byHead = new AttentionHead(c, kernels, hd);
                    for (int last : new int[] {0, 63, 64, 130, positions - 1}) {
                        for (int first : new int[] {0, Math.max(0, last - 70)}) {
                            for (int kv = 0; kv < c.numKvHeads(); kv++) {
                                int qOff = kv * g * hd;
                                float[] got = new float[qd];
                                byHead.attendGroup(q, qOff, g, keysByHead, valuesByHead, null, 0, kv * ctx * hd, first, last,
                                        new float[g * positions], positions, got, qOff);
                                float[] want = new float[qd];
                                for (int h = 0; h < g; h++) {
                                    byPosition.attend(q, qOff + h * hd, keys, values, null, 0, kv * hd, first, last, new float[positions],
                                            want, qOff + h * hd);
                                }
                                for (int i = qOff; i < qOff + g * hd; i++) {
                                    assertThat(Float.floatToRawIntBits(got[i]))
                                            .as("%s hd=%d group=%d first=%d last=%d kv=%d: out[%d] %s vs %s", kernels.name(), hd, g,
                                                    first, last, kv, i, got[i], want[i])
                                            .isEqualTo(Float.floatToRawIntBits(want[i]));
                                }
                            }
                        }
                    }
                }
            }
        }
        for (Kernels kernels : new Kernels[] {KernelProvider.get(), new ScalarKernels()}) {
            for (int headDim : new int[] {16, 20, 64}) {
                LlamaConfig c = config(4, 4, headDim); // every head its own kv head: pairs
                int kvDim = c.kvDim(), hd = c.headDim(), qd = c.queryDim(), positions = 3 * POSITIONS, ctx = positions + 3;
                float[] q = gaussian(r, qd);
                float[] keys = gaussian(r, positions * kvDim);
                float[] values = gaussian(r, positions * kvDim);
                float[] keysByHead = byHead(keys, c, positions, ctx);
                float[] valuesByHead = byHead(values, c, positions, ctx);
                AttentionHead byPosition = new AttentionHead(c, kernels);
                AttentionHead byHead = new AttentionHead(c, kernels, hd);
                for (int last : new int[] {0, 63, 64, 130, positions - 1}) {
                    for (int first : new int[] {0, Math.max(0, last - 70)}) {
                        for (int h = 0; h < 4; h += 2) {
                            float[] got = new float[qd];
                            byHead.attendPair(q, h * hd, (h + 1) * hd, keysByHead, valuesByHead, null, 0, h * ctx * hd, (h + 1) * ctx * hd,
                                    first, last, new float[2 * positions], positions, got, h * hd, (h + 1) * hd);
                            float[] want = new float[qd];
                            byPosition.attend(q, h * hd, keys, values, null, 0, h * hd, first, last, new float[positions], want, h * hd);
                            byPosition.attend(q, (h + 1) * hd, keys, values, null, 0, (h + 1) * hd, first, last, new float[positions], want,
                                    (h + 1) * hd);
                            for (int i = 0; i < qd; i++) {
                                assertThat(Float.floatToRawIntBits(got[i]))
                                        .as("%s hd=%d pair %d first=%d last=%d: out[%d] %s vs %s", kernels.name(), hd, h, first, last, i, got[i],
                                                want[i])
                                        .isEqualTo(Float.floatToRawIntBits(want[i]));
                            }
                        }
                    }
                }
            }
        }
        LlamaConfig c = config(4, 2, 16);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AttentionHead(c, new ScalarKernels(), 24))
                .hasMessageContaining("row stride must be kvDim 32 or headDim 16, got 24");
    }

    @Test
    void aBlockOfPromptTokensGetsTheBitsOfOneTokenAndHeadAtATime() {
        Random r = new Random(8);
        for (Kernels kernels : new Kernels[] {KernelProvider.get(), new ScalarKernels()}) {
            for (int headDim : new int[] {16, 20, 64}) {
                for (int[] hk : new int[][] {{4, 2}, {3, 1}, {8, 1}}) { // groups of 2, 3 (odd) and 8 heads
                    LlamaConfig c = config(hk[0], hk[1], headDim);
                    int kvDim = c.kvDim(), hd = c.headDim(), g = c.groupSize(), qd = c.queryDim(), ctx = 3 * POSITIONS;
                    float[] keys = gaussian(r, ctx * kvDim);
                    float[] values = gaussian(r, ctx * kvDim);
                    float[] keysByHead = byHead(keys, c, ctx, ctx);
                    float[] valuesByHead = byHead(values, c, ctx, ctx);
                    AttentionHead byPosition = new AttentionHead(c, kernels);
                    AttentionHead byHead = new AttentionHead(c, kernels, hd);
                    for (int window : new int[] {0, 50}) {
                        for (int tokens : new int[] {1, 3, 4}) {
                            for (int pos0 : new int[] {0, 37, 63, 130}) {
                                float[] q = gaussian(r, tokens * qd);
                                for (int kv = 0; kv < c.numKvHeads(); kv++) {
                                    float[] got = new float[tokens * qd];
                                    byHead.attendBlock(q, kv * g * hd, qd, tokens, g, keysByHead, valuesByHead, kv * ctx * hd, pos0, window,
                                            new float[tokens * g * ctx], ctx, got);
                                    float[] want = new float[tokens * qd];
                                    for (int t = 0; t < tokens; t++) {
                                        int pos = pos0 + t, first = window > 0 ? Math.max(0, pos - window + 1) : 0;
                                        for (int h = 0; h < g; h++) {
                                            int o = t * qd + (kv * g + h) * hd;
                                            byPosition.attend(q, o, keys, values, null, 0, kv * hd, first, pos, new float[ctx], want, o);
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

    @Test
    void binary16AndQ8_0CachesGetTheBitsOfAFloat32CacheHoldingTheirValues() {
        Random r = new Random(9);
        for (Kernels kernels : new Kernels[] {KernelProvider.get(), new ScalarKernels()}) {
            for (int headDim : new int[] {32, 64}) {
                for (int[] hk : new int[][] {{4, 2}, {3, 1}, {8, 1}}) {
                    LlamaConfig c = config(hk[0], hk[1], headDim);
                    int kvDim = c.kvDim(), hd = c.headDim(), g = c.groupSize(), qd = c.queryDim(), positions = 3 * POSITIONS;
                    float[] q = gaussian(r, qd);
                    float[] keys = gaussian(r, positions * kvDim);
                    float[] values = gaussian(r, positions * kvDim);
                    short[] halfKeys = new short[keys.length], halfValues = new short[values.length];
                    HalfRows.store(keys, 0, halfKeys, 0, keys.length);
                    HalfRows.store(values, 0, halfValues, 0, values.length);
                    byte[] quantKeys = new byte[keys.length], quantValues = new byte[values.length];
                    short[] keyScales = new short[keys.length / 32], valueScales = new short[values.length / 32];
                    Q8Rows.quantize(keys, 0, quantKeys, keyScales, 0, keys.length);
                    Q8Rows.quantize(values, 0, quantValues, valueScales, 0, values.length);
                    float[][] asFloats = new float[4][keys.length];
                    HalfRows.toFloatsScalar(halfKeys, 0, asFloats[0], 0, keys.length);
                    HalfRows.toFloatsScalar(halfValues, 0, asFloats[1], 0, keys.length);
                    Q8Rows.toFloatsScalar(quantKeys, keyScales, 0, asFloats[2], 0, keys.length);
                    Q8Rows.toFloatsScalar(quantValues, valueScales, 0, asFloats[3], 0, keys.length);
                    int[] table = new int[positions / BLOCK];
                    for (int b = 0; b < table.length; b++) {
                        table[b] = (7 * b + 3) % table.length;
                    }
                    AttentionHead head = new AttentionHead(c, kernels);
                    for (boolean half : new boolean[] {true, false}) {
                        for (int[] t : new int[][] {null, table}) {
                            for (int last : new int[] {0, 64, positions - 1}) {
                                for (int kv = 0; kv < c.numKvHeads(); kv++) {
                                    int qOff = kv * g * hd;
                                    float[] got = new float[qd];
                                    head.attendGroup(q, qOff, g, half ? halfKeys : null, half ? halfValues : null, half ? null : quantKeys,
                                            keyScales, half ? null : quantValues, valueScales, t, BLOCK, kv * hd, 0, last,
                                            new float[g * positions], positions, got, qOff, new float[AttentionHead.CHUNK * hd]);
                                    float[] want = new float[qd];
                                    head.attendGroup(q, qOff, g, asFloats[half ? 0 : 2], asFloats[half ? 1 : 3], t, BLOCK, kv * hd, 0, last,
                                            new float[g * positions], positions, want, qOff);
                                    for (int i = 0; i < qd; i++) {
                                        assertThat(Float.floatToRawIntBits(got[i]))
                                                .as("%s %s hd=%d group=%d paged=%s last=%d kv=%d: out[%d] %s vs %s", kernels.name(),
                                                        half ? "f16" : "q8_0", hd, g, t != null, last, kv, i, got[i], want[i])
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

    /** Rows [position][kvDim] (positions of them) rearranged as [kv head][ctx][headDim], as {@link KvCache} keeps them. */
    private static float[] byHead(float[] rows, LlamaConfig c, int positions, int ctx) {
        int kvDim = c.kvDim(), hd = c.headDim();
        float[] out = new float[c.numKvHeads() * ctx * hd];
        for (int kv = 0; kv < c.numKvHeads(); kv++) {
            for (int p = 0; p < positions; p++) {
                System.arraycopy(rows, p * kvDim + kv * hd, out, (kv * ctx + p) * hd, hd);
            }
        }
        return out;
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
        int[] table = new int[positions / BLOCK];
        for (int b = 0; b < table.length; b++) {
            table[b] = (7 * b + 3) % table.length; // 30 blocks, 7 coprime to 30
        }
        for (int[] t : new int[][] {null, table}) {
            for (int last : new int[] {0, 17, 64, 130, positions - 1}) {
                for (int first : new int[] {0, Math.max(0, last - 70)}) {
                    for (int kv = 0; kv < c.numKvHeads(); kv++) {
                        int qOff = kv * g * hd;
                        float[] got = new float[qd];
                        head.attendGroup(q, qOff, g, keys, values, t, BLOCK, kv * hd, first, last, new float[g * positions], positions, got, qOff);
                        float[] want = new float[qd];
                        for (int h = 0; h < g; h++) {
                            head.attend(q, qOff + h * hd, keys, values, t, BLOCK, kv * hd, first, last, new float[positions], want, qOff + h * hd);
                        }
                        for (int i = qOff; i < qOff + g * hd; i++) {
                            assertThat(Float.floatToRawIntBits(got[i]))
                                    .as("%s hd=%d group=%d paged=%s first=%d last=%d kv=%d: out[%d] %s vs %s", kernels, hd, g, t != null,
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
        int[] table = new int[POSITIONS / BLOCK];
        for (int b = 0; b < table.length; b++) {
            table[b] = (3 * b + 5) % table.length; // a permutation: 10 blocks, 3 coprime to 10
        }
        for (int[] t : new int[][] {null, table}) {
            for (int last : new int[] {0, 5, 16, 33, 79}) {
                for (int first : new int[] {0, Math.max(0, last - 20)}) {
                    for (int h = 0; h < 4; h += 2) {
                        int kvA = (h / c.groupSize()) * c.headDim(), kvB = ((h + 1) / c.groupSize()) * c.headDim();
                        int qA = h * c.headDim(), qB = qA + c.headDim();
                        float[] got = new float[qd];
                        float[] s = new float[2 * POSITIONS];
                        head.attendPair(q, qA, qB, keys, values, t, BLOCK, kvA, kvB, first, last, s, POSITIONS, got, qA, qB);
                        float[] want = new float[qd];
                        float[] s1 = new float[POSITIONS];
                        head.attend(q, qA, keys, values, t, BLOCK, kvA, first, last, s1, want, qA);
                        head.attend(q, qB, keys, values, t, BLOCK, kvB, first, last, s1, want, qB);
                        for (int i = 0; i < qd; i++) {
                            assertThat(Float.floatToRawIntBits(got[i]))
                                    .as("%s hd=%d kvHeads=%d paged=%s first=%d last=%d heads %d,%d: out[%d] %s vs %s", kernels, c.headDim(),
                                            c.numKvHeads(), t != null, first, last, h, h + 1, i, got[i], want[i])
                                    .isEqualTo(Float.floatToRawIntBits(want[i]));
                        }
                    }
                }
            }
        }
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
