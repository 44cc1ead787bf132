package io.llmopt.model.paged;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The binary16 KV cache against the float32 one on real models: half the bytes per block, greedy decoding picks
 * the same tokens, and every step's logits stay within a stated bound of the float32 cache's (the only difference
 * is the rounding of keys and values to 11 significant bits, relative error ≤ 2⁻¹¹).
 */
class HalfKvCacheTest {
    /** Max |Δlogit| allowed between the two caches at any step (measured: 0.019 on stories260K, 0.0024 on Q4_K_M). */
    private static final float BOUND = 0.05f;
    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    @Test
    void halfCacheTakesHalfTheBytes() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"))) {
            LlamaConfig c = m.config();
            assertThat(PagedKvCache.bytesPerBlock(c, 16, KvCacheType.F16) * 2).isEqualTo(PagedKvCache.bytesPerBlock(c, 16));
            PagedKvCache half = new PagedKvCache(c, 10, 16, KvCacheType.F16);
            assertThat(half.byteSize() * 2).isEqualTo(new PagedKvCache(c, 10, 16).byteSize());
            assertThat(half.keys(0)).isNull();
            assertThat(half.halfKeys(0)).hasSize(10 * 16 * c.kvDim());
        }
    }

    @Test
    void greedyDecodingMatchesTheFloatCacheOnStories260K() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"))) {
            compare(m, BOUND);
        }
    }

    @Test
    void greedyDecodingMatchesTheFloatCacheOnQ4KM() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/ref-tinystories/ref-tinystories-Q4_K_M.gguf"))) {
            compare(m, BOUND);
        }
    }

    @Test
    void parsesTheFlagValue() {
        assertThat(KvCacheType.parse("F16")).isEqualTo(KvCacheType.F16);
        assertThat(KvCacheType.parse("f32")).isEqualTo(KvCacheType.F32);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KvCacheType.parse("q4_0"))
                .hasMessageContaining("--kv-cache-type").hasMessageContaining("q4_0");
    }

    /** Prefill 12 tokens in two chunks, then 60 greedy steps on both caches; tokens identical, logits within bound. */
    private static void compare(LoadedModel m, float bound) {
        Kernels kernels = KernelProvider.get();
        int vocab = m.config().vocabSize();
        int context = 80;
        int blockSize = 8;
        int[] table = PagedForwardTest.scatteredTable(context, blockSize, 16, 9);
        PagedKvCache full = new PagedKvCache(m.config(), 16, blockSize, KvCacheType.F32);
        PagedKvCache half = new PagedKvCache(m.config(), 16, blockSize, KvCacheType.F16);
        PagedForward fullFwd = new PagedForward(m.config(), m.weights(), kernels, POOL, context, 16, 1);
        PagedForward halfFwd = new PagedForward(m.config(), m.weights(), kernels, POOL, context, 16, 1);
        SequenceBatch batch = new SequenceBatch(16, 1);
        int[] tokens = new int[context];
        int[] prompt = new SplittableRandom(4).ints(12, 1, vocab).toArray();
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        int pos = 0;
        int len = prompt.length;
        double worst = 0;
        double range = 0;
        int[] chunks = {7, 5};
        for (int step = 0; pos < 72; step++) {
            int count = step < chunks.length ? chunks[step] : 1;
            batch.clear();
            batch.addSequence(table, tokens, pos, count, pos, true);
            float[] a = Arrays.copyOf(fullFwd.forward(full, batch), vocab);
            float[] b = Arrays.copyOf(halfFwd.forward(half, batch), vocab);
            pos += count;
            if (pos < len) {
                continue;
            }
            double diff = 0;
            for (int i = 0; i < vocab; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
                range = Math.max(range, Math.abs(a[i]));
            }
            worst = Math.max(worst, diff);
            assertThat(diff).as("max |Δlogit| at position %d", pos).isLessThanOrEqualTo(bound);
            int ta = argmax(a);
            assertThat(argmax(b)).as("greedy token at position %d", pos).isEqualTo(ta);
            tokens[len++] = ta;
        }
        System.out.printf("f16 vs f32 KV cache, %s: %d greedy tokens identical, max |Δlogit| = %.3g (max |logit| %.1f)%n",
                m.config().architecture(), len - prompt.length, worst, range);
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
