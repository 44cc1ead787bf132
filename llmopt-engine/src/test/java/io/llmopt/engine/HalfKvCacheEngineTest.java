package io.llmopt.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.paged.KvCacheType;
import io.llmopt.model.paged.PagedKvCache;
import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.kernel.KernelProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The engine over an f16 KV cache: the same byte budget holds twice the blocks, and 16 concurrent greedy requests
 * give the tokens the f32 engine gives (measured, not guaranteed: f16 rounds keys/values to 11 significant bits,
 * which moves logits by ≤ 0.02 here — see HalfKvCacheTest — and could flip a near-tie on another model).
 */
class HalfKvCacheEngineTest {

    @Test
    void theSameByteBudgetHoldsTwiceTheBlocks() {
        try (LoadedModel m = EngineFixtures.load(EngineFixtures.REF_Q4)) {
            LlamaConfig c = m.config();
            long budget = 64L << 20;
            int f32 = EngineConfig.blocksFor(c, budget, 16, KvCacheType.F32);
            int f16 = EngineConfig.blocksFor(c, budget, 16, KvCacheType.F16);
            assertThat(f32).isEqualTo(EngineConfig.blocksFor(c, budget, 16));
            assertThat(f16).isBetween(2 * f32, 2 * f32 + 1);
            EngineConfig ec = EngineFixtures.config(4, 64, f16, 16, 256, true).withKvCacheType(KvCacheType.F16);
            assertThat(ec.kvCacheBytes(c)).isLessThanOrEqualTo(budget);
            assertThat(ec.kvCacheBytes(c)).isEqualTo(f16 * PagedKvCache.bytesPerBlock(c, 16, KvCacheType.F16));
            BatchingEngine engine = BatchingEngine.start(EngineFixtures.load(EngineFixtures.REF_Q4), ec, KernelProvider.get());
            try {
                assertThat(engine.stats().kvBlocksTotal()).isEqualTo(f16);
            } finally {
                engine.shutdown(Duration.ofSeconds(5));
            }
        }
    }

    @Test
    void greedyTokensMatchTheFloatCacheEngine() {
        try (LoadedModel reference = EngineFixtures.load(EngineFixtures.REF_Q4)) {
            List<int[]> prompts = EngineFixtures.prompts(reference, 16, 4, 90);
            EngineConfig f32 = EngineFixtures.config(16, 48, 256, 8, reference.config().contextLength(), true);
            List<int[]> expected = run(f32, prompts);
            List<int[]> actual = run(f32.withKvCacheType(KvCacheType.F16), prompts);
            int tokens = 0;
            for (int i = 0; i < prompts.size(); i++) {
                assertThat(actual.get(i)).as("request %d (prompt %d tokens)", i, prompts.get(i).length).containsExactly(expected.get(i));
                tokens += expected.get(i).length;
            }
            System.out.println("f16 KV engine: " + tokens + " greedy tokens of 16 requests identical to the f32 engine");
        }
    }

    private static List<int[]> run(EngineConfig config, List<int[]> prompts) {
        BatchingEngine engine = BatchingEngine.start(EngineFixtures.load(EngineFixtures.REF_Q4), config, KernelProvider.get());
        try {
            List<CollectingSink> sinks = new ArrayList<>();
            for (int[] p : prompts) {
                CollectingSink sink = new CollectingSink();
                engine.submit(EngineFixtures.request(p, 32, SamplingParams.greedy()), sink);
                sinks.add(sink);
            }
            List<int[]> out = new ArrayList<>();
            for (CollectingSink s : sinks) {
                s.await();
                out.add(s.ids());
            }
            EngineFixtures.awaitIdle(engine);
            assertThat(engine.stats().kvBlocksUsed()).isZero();
            return out;
        } finally {
            engine.shutdown(Duration.ofSeconds(5));
        }
    }
}
