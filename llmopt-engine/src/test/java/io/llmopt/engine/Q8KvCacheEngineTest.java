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
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The engine over a q8_0 KV cache: the same byte budget holds 128/34 = 3.76 times the f32 blocks, and 16
 * concurrent greedy requests on ref-tinystories Q4_K_M (head dim 32) against the f32 engine. Q8_0 moves logits by
 * up to ~0.06 on this model (Q8KvCacheTest), so token identity is measured, not guaranteed: a near-tie can flip
 * and the two generations then go apart (the prompts are random token ids, which makes near-ties likelier than in
 * text). Measured: 13 of 16 requests (32 greedy tokens each) identical to the f32 engine; the three others differ
 * first at tokens 3, 14 and 19, so 452 of 512 tokens come before a request's first difference. Asserted: at
 * least {@value #MIN_IDENTICAL} requests identical and at least {@value #MIN_AGREEING} tokens before the first
 * differences. Teacher-forced logit bounds (every step compared on the same tokens) are in Q8KvCacheTest.
 */
class Q8KvCacheEngineTest {
    /** Measured 13 of 16 (see the class comment); asserted with room for a different near-tie on another JVM. */
    private static final int MIN_IDENTICAL = 11;
    /** Measured 452 of 512 tokens before each request's first difference. */
    private static final int MIN_AGREEING = 400;

    @Test
    void theSameByteBudgetHolds3Point76TimesTheBlocks() {
        try (LoadedModel m = EngineFixtures.load(EngineFixtures.REF_Q4)) {
            LlamaConfig c = m.config();
            long budget = 64L << 20;
            int f32 = EngineConfig.blocksFor(c, budget, 16, KvCacheType.F32);
            int q8 = EngineConfig.blocksFor(c, budget, 16, KvCacheType.Q8_0);
            long perBlock = PagedKvCache.bytesPerBlock(c, 16, KvCacheType.Q8_0);
            assertThat(perBlock * 128).isEqualTo(PagedKvCache.bytesPerBlock(c, 16) * 34);
            assertThat((long) q8).isEqualTo(budget / perBlock);
            assertThat((double) q8 / f32).isCloseTo(128.0 / 34, Offset.offset(0.01));
            EngineConfig ec = EngineFixtures.config(4, 64, q8, 16, 256, true).withKvCacheType(KvCacheType.Q8_0);
            assertThat(ec.kvCacheBytes(c)).isLessThanOrEqualTo(budget).isEqualTo(q8 * perBlock);
            BatchingEngine engine = BatchingEngine.start(EngineFixtures.load(EngineFixtures.REF_Q4), ec, KernelProvider.get());
            try {
                assertThat(engine.stats().kvBlocksTotal()).isEqualTo(q8);
            } finally {
                engine.shutdown(Duration.ofSeconds(5));
            }
            System.out.printf("q8_0 KV engine: 64 MiB holds %d q8_0 blocks vs %d f32 blocks (%.4f×; %d vs %d bytes a block)%n",
                    q8, f32, (double) q8 / f32, perBlock, PagedKvCache.bytesPerBlock(c, 16));
        }
    }

    @Test
    void greedyTokensAgreeWithTheFloatCacheEngine() {
        try (LoadedModel reference = EngineFixtures.load(EngineFixtures.REF_Q4)) {
            List<int[]> prompts = EngineFixtures.prompts(reference, 16, 4, 90);
            EngineConfig f32 = EngineFixtures.config(16, 48, 256, 8, reference.config().contextLength(), true);
            List<int[]> expected = run(f32, prompts);
            List<int[]> actual = run(f32.withKvCacheType(KvCacheType.Q8_0), prompts);
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
                System.out.printf("q8_0 KV engine: request %d (prompt %d tokens): %d of %d tokens before the first difference%n",
                        i, prompts.get(i).length, prefix, e.length);
                identical += prefix == e.length ? 1 : 0;
                tokens += e.length;
                agreeing += prefix;
            }
            System.out.printf("q8_0 KV engine: %d of 16 requests identical to the f32 engine, %d of %d tokens before the first difference%n",
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
