package io.llmopt.model.paged;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The Q8_0 KV cache against the float32 one on real models: 34 bytes per 32 values, and every step's logits within
 * a stated bound of the float32 cache's with the same greedy token where the head dim is a multiple of 32, and a
 * stated agreement where it is not (both caches are fed the float32 cache's tokens, so a differing token is
 * counted at its step and not carried on). Keys and values are rounded to 8-bit steps
 * of max|block|/127 here, much coarser than f16's 11 significant bits, so the bounds are wider than
 * {@code HalfKvCacheTest}'s.
 */
class Q8KvCacheTest {
    /**
     * Max |Δlogit| allowed at any step. Measured (61 greedy steps, positions 12..72): 0.054 on ref-tinystories f32
     * and 0.058 on its Q4_K_M (head dim 32: one block per head, as in llama.cpp), every greedy token identical.
     */
    private static final float BOUND_HEAD_BLOCKS = 0.1f;
    /**
     * Q4_K_M's Q4_K and Q6_K matmuls quantize their activations to 8 bits (as llama.cpp does), which is discontinuous
     * and so amplifies the cache's rounding (see {@code HalfKvCacheTest}). Measured 2026-11-23: max |Δlogit| 0.099
     * and one greedy token differing, at an f32 logit margin of 0.0019 (0.058 and none with float activations).
     * Since scores are fma chains over key tiles (2026-11-24): 0.113 and two flips, at margins of 0.0019 and 0.0066,
     * at the same positions as the f16 cache's (the f32 run itself is at a near-tie there). Asserted: ≤ 0.2, at most
     * two flips, each at a near-tie.
     */
    private static final float BOUND_Q8_ACTIVATIONS = 0.2f;
    private static final int FLIPS_Q8_ACTIVATIONS = 2;
    /**
     * stories260K has head dim 8, so one block of 32 spans four heads and their scale is the largest head's: much
     * coarser for the small heads. Measured: max |Δlogit| 1.33 (max |logit| 19.5) and 2 of 61 greedy tokens differ
     * (at f32 logit margins 0.11 and 0.20). Asserted: ≤ 2.0 and at most 4 differing tokens. The docs tell users of
     * such models to take f16.
     */
    private static final float BOUND_SPANNING = 2f;
    private static final int FLIPS_SPANNING = 4;
    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    @Test
    void q8CacheTakes34BytesPer32Values() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/ref-tinystories/ref-tinystories-Q4_K_M.gguf"))) {
            LlamaConfig c = m.config();
            long f32 = PagedKvCache.bytesPerBlock(c, 16);
            long q8 = PagedKvCache.bytesPerBlock(c, 16, KvCacheType.Q8_0);
            assertThat(q8).isEqualTo(2L * c.numLayers() * 16 * c.kvDim() / 32 * 34);
            assertThat((double) f32 / q8).isCloseTo(128.0 / 34, org.assertj.core.data.Offset.offset(1e-12));
            PagedKvCache cache = new PagedKvCache(c, 10, 16, KvCacheType.Q8_0);
            assertThat(cache.byteSize()).isEqualTo(10 * q8);
            assertThat(cache.keys(0)).isNull();
            assertThat(cache.halfKeys(0)).isNull();
            assertThat(cache.quantKeys(0)).hasSize(10 * 16 * c.kvDim());
            assertThat(cache.keyScales(0)).hasSize(10 * 16 * c.kvDim() / 32);
            long arrays = 0;
            for (int l = 0; l < c.numLayers(); l++) {
                arrays += cache.quantKeys(l).length + cache.quantValues(l).length
                        + 2L * (cache.keyScales(l).length + cache.valueScales(l).length);
            }
            assertThat(arrays).as("bytes actually allocated").isEqualTo(cache.byteSize());
        }
    }

    @Test
    void aKvDimThatIsNoMultipleOf32IsAOneLineError() {
        // 2 kv heads × head dim 12 = 24 values per row: no whole block of 32
        LlamaConfig c = new LlamaConfig("llama", 48, 96, 1, 4, 2, 12, 300, 1e-5f, 10000, 12, RopeLayout.INTERLEAVED,
                RopeScaling.NONE, 64, false, false, 0);
        assertThatThrownBy(() -> new PagedKvCache(c, 4, 16, KvCacheType.Q8_0))
                .hasMessageContaining("--kv-cache-type q8_0").hasMessageContaining("head dim = 2 × 12 = 24")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> PagedKvCache.bytesPerBlock(c, 16, KvCacheType.Q8_0)).hasMessageContaining("--kv-cache-type q8_0");
        assertThat(PagedKvCache.bytesPerBlock(c, 16, KvCacheType.F16)).isEqualTo(2L * 16 * 24 * 2);
    }

    @Test
    void parsesTheFlagValue() {
        assertThat(KvCacheType.parse("Q8_0")).isEqualTo(KvCacheType.Q8_0);
        assertThat(KvCacheType.Q8_0.toString()).isEqualTo("q8_0");
        assertThatThrownBy(() -> KvCacheType.parse("q4_0")).hasMessageContaining("--kv-cache-type")
                .hasMessageContaining("f32, f16 or q8_0").hasMessageContaining("q4_0");
    }

    @Test
    void greedyDecodingMatchesTheFloatCacheOnRefTinyStories() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf"))) {
            assertThat(KvCacheType.Q8_0.blocksSpanHeads(m.config())).isFalse();
            KvCacheAccuracy.compareToF32(m, KvCacheType.Q8_0, POOL, BOUND_HEAD_BLOCKS, 0);
        }
    }

    @Test
    void greedyDecodingMatchesTheFloatCacheOnQ4KM() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/ref-tinystories/ref-tinystories-Q4_K_M.gguf"))) {
            KvCacheAccuracy.compareToF32(m, KvCacheType.Q8_0, POOL, BOUND_Q8_ACTIVATIONS, FLIPS_Q8_ACTIVATIONS);
        }
    }

    @Test
    void greedyDecodingMatchesTheFloatCacheOnStories260KWithBlocksAcrossHeads() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"))) {
            assertThat(KvCacheType.Q8_0.blocksSpanHeads(m.config())).isTrue();
            KvCacheAccuracy.compareToF32(m, KvCacheType.Q8_0, POOL, BOUND_SPANNING, FLIPS_SPANNING);
        }
    }

    @Test
    void sequencesSharingAStepGetTheBitsTheyGetAlone() {
        for (String path : new String[] {"models/ref-tinystories/ref-tinystories-Q4_K_M.gguf", "models/stories260K/stories260K-f32.gguf"}) {
            try (LoadedModel m = ModelLoader.load(SharedData.require(path))) {
                checkShared(m);
            }
        }
    }

    /**
     * Three sequences with scattered block tables in one q8_0 cache, stepped together with mixed chunk sizes,
     * against each run alone in its own q8_0 cache: quantization is per written row and attention per head, so
     * with the batch-invariant scalar matmuls not one bit may differ (Q8Rows's vector path included).
     */
    private static void checkShared(LoadedModel m) {
        Kernels kernels = new io.llmopt.tensor.kernel.ScalarKernels();
        int vocab = m.config().vocabSize();
        int context = 48;
        int blockSize = 4;
        PagedKvCache shared = new PagedKvCache(m.config(), 36, blockSize, KvCacheType.Q8_0);
        PagedForward sharedFwd = new PagedForward(m.config(), m.weights(), kernels, POOL, context, 32, 3);
        SequenceBatch batch = new SequenceBatch(32, 3);
        int[] perm = PagedForwardTest.scatteredTable(36, 1, 36, 5);
        int[] own = new int[12];
        for (int b = 0; b < 12; b++) {
            own[b] = b;
        }
        int[][] tables = new int[3][];
        int[][] tokens = new int[3][];
        PagedKvCache[] alone = new PagedKvCache[3];
        PagedForward[] aloneFwd = new PagedForward[3];
        SequenceBatch single = new SequenceBatch(32, 1);
        for (int s = 0; s < 3; s++) {
            tables[s] = Arrays.copyOfRange(perm, s * 12, s * 12 + 12);
            tokens[s] = new SplittableRandom(20 + s).ints(context, 1, vocab).toArray();
            alone[s] = new PagedKvCache(m.config(), 12, blockSize, KvCacheType.Q8_0);
            aloneFwd[s] = new PagedForward(m.config(), m.weights(), kernels, POOL, context, 32, 1);
        }
        int[] done = new int[3];
        int[][] chunks = {{9, 0, 6}, {1, 13, 1}, {1, 1, 1}, {1, 1, 7}, {1, 1, 1}, {1, 1, 1}};
        for (int[] step : chunks) {
            batch.clear();
            float[][] expected = new float[3][];
            for (int s = 0; s < 3; s++) {
                if (step[s] > 0) {
                    single.clear();
                    single.addSequence(own, tokens[s], done[s], step[s], done[s], true);
                    expected[s] = Arrays.copyOf(aloneFwd[s].forward(alone[s], single), vocab);
                    batch.addSequence(tables[s], tokens[s], done[s], step[s], done[s], true);
                }
            }
            float[] logits = sharedFwd.forward(shared, batch);
            int row = 0;
            for (int s = 0; s < 3; s++) {
                if (step[s] > 0) {
                    assertThat(Arrays.copyOfRange(logits, row * vocab, row * vocab + vocab))
                            .as("head dim %d, seq %d at %d", m.config().headDim(), s, done[s]).containsExactly(expected[s]);
                    row++;
                    done[s] += step[s];
                }
            }
        }
    }
}
