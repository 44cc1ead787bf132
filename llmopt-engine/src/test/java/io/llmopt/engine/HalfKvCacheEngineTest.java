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
 * on ref-tinystories Q4_K_M against the f32 engine. f16 rounds keys/values to 11 significant bits, and the model's
 * Q4_K/Q6_K matmuls quantize their activations to 8 bits (as llama.cpp does), which turns that rounding into logit
 * moves of up to ~0.09 here (HalfKvCacheTest) — enough to flip a near-tie, after which the two generations go
 * apart (the prompts are random token ids, which makes near-ties likelier than in text). With float activations
 * every token was identical. Measured (2026-11-23): 13 of 16 requests identical; the others differ first at tokens
 * 19, 15 and 27 (the first two where the q8_0 cache's engine also parts, Q8KvCacheEngineTest), so 477 of 512
 * tokens come before the first differences. Asserted: at least {@value #MIN_IDENTICAL} and {@value #MIN_AGREEING}.
 */
class HalfKvCacheEngineTest {
    /** Measured 13 of 16 (see the class comment); asserted with room for another near-tie. */
    private static final int MIN_IDENTICAL = 12;
    /** Measured 477 of 512 tokens before each request's first difference. */
    private static final int MIN_AGREEING = 440;

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
            int identical = 0;
            int tokens = 0;
            int agreeing = 0;
            for (int i = 0; i < prompts.size(); i++) {
                int[] e = expected.get(i);
                int[] a = actual.get(i);
                assertThat(a).as("request %d length", i).hasSize(e.length);
                int prefix = 0;
                while (prefix < e.length && e[prefix] == a[prefix]) {
                    prefix++;
                }
                if (prefix < e.length) {
                    System.out.printf("f16 KV engine: request %d (prompt %d tokens): %d of %d tokens before the first difference%n",
                            i, prompts.get(i).length, prefix, e.length);
                }
                identical += prefix == e.length ? 1 : 0;
                tokens += e.length;
                agreeing += prefix;
            }
            System.out.printf("f16 KV engine: %d of 16 requests identical to the f32 engine, %d of %d tokens before the first difference%n",
                    identical, agreeing, tokens);
            assertThat(identical).as("requests whose greedy tokens are all those of the f32 engine").isGreaterThanOrEqualTo(MIN_IDENTICAL);
            assertThat(agreeing).as("tokens before the first difference, over all requests").isGreaterThanOrEqualTo(MIN_AGREEING);
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
