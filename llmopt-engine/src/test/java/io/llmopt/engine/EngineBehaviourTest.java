package io.llmopt.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.model.generate.GenerationResult;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.ScalarKernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine on stories260K with the scalar kernels (batch-invariant, so every comparison with the one-sequence
 * {@link io.llmopt.model.generate.Generator} is exact): prefix caching, preemption, cancel, overload, limits,
 * seeded sampling, stop strings, logprobs, shutdown.
 */
class EngineBehaviourTest {
    private static final ScalarKernels KERNELS = new ScalarKernels();
    private static WorkerPool pool;
    private static LoadedModel reference;

    @BeforeAll
    static void load() {
        pool = new WorkerPool(2);
        reference = EngineFixtures.load(EngineFixtures.STORIES);
    }

    @AfterAll
    static void close() {
        if (reference != null) {
            reference.close();
        }
        pool.shutdown();
    }

    private static BatchingEngine engine(EngineConfig config) {
        return BatchingEngine.start(EngineFixtures.load(EngineFixtures.STORIES), config, KERNELS);
    }

    private static EngineConfig config(int maxSeqs, int blocks, int blockSize) {
        return EngineFixtures.config(maxSeqs, 32, blocks, blockSize, reference.config().contextLength(), true);
    }

    private static GenerationResult alone(int[] prompt, int maxTokens, SamplingParams sampling, List<String> stops) {
        return EngineFixtures.alone(reference, KERNELS, pool, prompt, maxTokens, sampling, stops);
    }

    @Test
    void secondRequestWithTheSamePrefixReusesBlocksAndGeneratesTheSame() {
        int[] prompt = EngineFixtures.prompts(reference, 1, 50, 50).get(0);
        try (BatchingEngine engine = engine(config(4, 64, 8))) {
            CollectingSink first = new CollectingSink();
            engine.submit(EngineFixtures.request(prompt, 20, SamplingParams.greedy()), first);
            Completion c1 = first.await();
            assertThat(c1.cachedPromptTokens()).isZero();
            CollectingSink second = new CollectingSink();
            engine.submit(EngineFixtures.request(prompt, 20, SamplingParams.greedy()), second);
            Completion c2 = second.await();
            assertThat(c2.cachedPromptTokens()).isEqualTo(48); // 6 full blocks of 8; the 50th token must run
            assertThat(second.ids()).containsExactly(first.ids());
            assertThat(second.text()).isEqualTo(first.text());

            // chat: the next turn's prompt is prompt + answer + new text; the answer's full blocks are cached too
            int[] more = reference.tokenizer().encode(" Then the dog said", false, false);
            int[] turn2 = concat(prompt, first.ids(), more);
            CollectingSink third = new CollectingSink();
            engine.submit(EngineFixtures.request(turn2, 20, SamplingParams.greedy()), third);
            Completion c3 = third.await();
            int cachedPositions = prompt.length + first.ids().length - 1; // the last answer token was never fed
            assertThat(c3.cachedPromptTokens()).isEqualTo(cachedPositions / 8 * 8).isGreaterThan(48);
            GenerationResult expected = alone(turn2, 20, SamplingParams.greedy(), List.of());
            assertThat(third.ids()).containsExactly(expected.tokens());
            EngineFixtures.awaitIdle(engine);
            EngineStats s = engine.stats();
            assertThat(s.prefixHitTokens()).isEqualTo(48 + c3.cachedPromptTokens());
            assertThat(s.kvBlocksCached()).isPositive();
        }
    }

    @Test
    void preemptionByRecomputationChangesNoToken() {
        List<int[]> prompts = EngineFixtures.prompts(reference, 6, 20, 40);
        // 20 blocks of 4 = 80 positions for 6 sequences that grow to ~60 positions each
        try (BatchingEngine engine = BatchingEngine.start(EngineFixtures.load(EngineFixtures.STORIES),
                EngineFixtures.config(6, 32, 20, 4, reference.config().contextLength(), false), KERNELS)) {
            List<CollectingSink> sinks = new ArrayList<>();
            for (int[] p : prompts) {
                CollectingSink sink = new CollectingSink();
                engine.submit(new EngineRequest(p, 30, SamplingParams.greedy(), List.of(), -1, true), sink);
                sinks.add(sink);
            }
            for (int i = 0; i < prompts.size(); i++) {
                sinks.get(i).await();
                GenerationResult e = EngineFixtures.alone(reference, KERNELS, pool, prompts.get(i), 30, SamplingParams.greedy(), List.of());
                assertThat(sinks.get(i).ids()).as("request %d", i).startsWith(e.tokens());
            }
            EngineFixtures.awaitIdle(engine);
            assertThat(engine.stats().preemptions()).isPositive();
            assertThat(engine.stats().kvBlocksUsed()).isZero();
        }
    }

    @Test
    void cancelMidStreamEndsTheRequestAndFreesItsBlocks() {
        int[] prompt = EngineFixtures.prompts(reference, 1, 10, 10).get(0);
        try (BatchingEngine engine = engine(config(1, 64, 4))) {
            AtomicReference<RequestHandle> handle = new AtomicReference<>();
            CollectingSink running = new CollectingSink();
            running.afterToken = () -> {
                if (running.tokens.size() == 5) {
                    handle.get().cancel();
                }
            };
            CollectingSink queued = new CollectingSink();
            synchronized (running) { // no token can arrive before the handle is set
                handle.set(engine.submit(new EngineRequest(prompt, 100, SamplingParams.greedy(), List.of(), -1, true), running));
                RequestHandle second = engine.submit(EngineFixtures.request(prompt, 10, SamplingParams.greedy()), queued);
                second.cancel(); // still waiting: maxNumSeqs is 1
                second.cancel(); // idempotent
            }
            Completion c = running.await();
            assertThat(c.reason()).isEqualTo(Completion.Reason.CANCELLED);
            assertThat(c.completionTokens()).isBetween(5, 6);
            Completion q = queued.await();
            assertThat(q.reason()).isEqualTo(Completion.Reason.CANCELLED);
            assertThat(q.completionTokens()).isZero();
            EngineFixtures.awaitIdle(engine);
            handle.get().cancel(); // after the end: no second onFinish
            EngineFixtures.awaitIdle(engine);
            assertThat(running.finishCalls).isEqualTo(1);
            assertThat(engine.stats().kvBlocksUsed()).isZero();
        }
    }

    @Test
    void aFullQueueRejectsWithRetryAfter() {
        int[] prompt = {1, 100, 200};
        try (BatchingEngine engine = BatchingEngine.start(EngineFixtures.load(EngineFixtures.STORIES),
                new EngineConfig(1, 32, 64, 4, 2, reference.config().contextLength(), true, 2), KERNELS)) {
            List<RequestHandle> handles = new ArrayList<>();
            List<CollectingSink> sinks = new ArrayList<>();
            EngineRequest longRequest = new EngineRequest(prompt, 120, SamplingParams.greedy(), List.of(), -1, true);
            for (int i = 0; i < 3; i++) {
                CollectingSink sink = new CollectingSink();
                handles.add(engine.submit(longRequest, sink));
                sinks.add(sink);
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (i == 0 && engine.stats().running() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait(); // the first one runs (max-num-seqs 1), the next two wait
                }
            }
            assertThatThrownBy(() -> engine.submit(longRequest, new CollectingSink()))
                    .isInstanceOf(EngineOverloadedException.class)
                    .hasMessageContaining("max-queue 2")
                    .satisfies(e -> assertThat(((EngineOverloadedException) e).retryAfterSeconds()).isPositive());
            handles.forEach(RequestHandle::cancel);
            sinks.forEach(CollectingSink::await);
        }
    }

    @Test
    void requestsThatCanNeverFitFailAtSubmitNamingTheLimit() {
        int context = reference.config().contextLength();
        try (BatchingEngine engine = engine(config(2, 8, 4))) {
            assertThatThrownBy(() -> engine.submit(EngineFixtures.request(new int[] {1, 2, 3}, context, SamplingParams.greedy()),
                    new CollectingSink())).isInstanceOf(LlmoptException.class).hasMessageContaining("context length of " + context);
            assertThatThrownBy(() -> engine.submit(EngineFixtures.request(new int[30], 10, SamplingParams.greedy()),
                    new CollectingSink())).isInstanceOf(LlmoptException.class).hasMessageContaining("kv-cache-blocks");
            assertThatThrownBy(() -> engine.submit(EngineFixtures.request(new int[] {1, 99999}, 3, SamplingParams.greedy()),
                    new CollectingSink())).isInstanceOf(LlmoptException.class).hasMessageContaining("vocabulary");
            assertThat(engine.stats().waiting()).isZero();
        }
    }

    @Test
    void seededSamplingDoesNotDependOnWhatElseIsInTheBatch() {
        List<int[]> prompts = EngineFixtures.prompts(reference, 8, 5, 60);
        SamplingParams seeded = SamplingParams.defaults().withSeed(42).withTemperature(0.9);
        GenerationResult expected = alone(prompts.get(0), 40, seeded, List.of());
        try (BatchingEngine engine = engine(config(8, 128, 8))) {
            CollectingSink alone = new CollectingSink();
            engine.submit(EngineFixtures.request(prompts.get(0), 40, seeded), alone);
            alone.await();
            List<CollectingSink> crowd = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                CollectingSink sink = new CollectingSink();
                engine.submit(EngineFixtures.request(prompts.get(i), 40, SamplingParams.defaults().withSeed(42 + i).withTemperature(0.9)), sink);
                crowd.add(sink);
            }
            crowd.forEach(CollectingSink::await);
            assertThat(alone.ids()).containsExactly(expected.tokens());
            assertThat(crowd.get(0).ids()).containsExactly(expected.tokens());
            assertThat(crowd.get(0).text()).isEqualTo(expected.text());
        }
    }

    @Test
    void stopStringsEndTheTextLikeGeneratorAndLogprobsAreReported() {
        int[] prompt = EngineFixtures.prompts(reference, 1, 12, 12).get(0);
        GenerationResult free = alone(prompt, 40, SamplingParams.greedy(), List.of());
        String text = free.text();
        String stop = text.substring(text.length() / 2, text.length() / 2 + 3);
        GenerationResult expected = alone(prompt, 40, SamplingParams.greedy(), List.of(stop));
        try (BatchingEngine engine = engine(config(2, 64, 8))) {
            CollectingSink sink = new CollectingSink();
            engine.submit(new EngineRequest(prompt, 40, SamplingParams.greedy(), List.of(stop), 3, false), sink);
            Completion c = sink.await();
            assertThat(c.reason()).isEqualTo(Completion.Reason.STOP);
            assertThat(c.stopString()).isEqualTo(expected.stopString()).isEqualTo(stop);
            assertThat(sink.text()).isEqualTo(expected.text()).doesNotContain(stop);
            assertThat(sink.ids()).containsExactly(expected.tokens());
            for (GeneratedToken t : sink.tokens) {
                assertThat(t.topLogprobs()).hasSize(3);
                assertThat(t.topLogprobs().get(0).id()).isEqualTo(t.id()); // greedy = the most likely
                assertThat(t.logprob()).isEqualTo(t.topLogprobs().get(0).logprob()).isLessThanOrEqualTo(0f);
                assertThat(t.topLogprobs().get(1).logprob()).isLessThanOrEqualTo(t.logprob());
            }
            assertThat(c.firstTokenNanos()).isPositive().isLessThanOrEqualTo(c.totalNanos());
            assertThat(c.queueNanos()).isNotNegative().isLessThanOrEqualTo(c.firstTokenNanos());

            // no stop string in the text: LENGTH, and the concatenated text equals Generator's
            CollectingSink plain = new CollectingSink();
            engine.submit(EngineFixtures.request(prompt, 40, SamplingParams.greedy()), plain);
            Completion p = plain.await();
            assertThat(plain.text()).isEqualTo(free.text());
            assertThat(p.reason().name()).isEqualTo(free.finishReason().name());
            assertThat(plain.tokens.get(0).logprob()).isNaN();
        }
    }

    @Test
    void shutdownFailsWhatIsStillRunningAndRefusesNewRequests() {
        BatchingEngine engine = engine(config(2, 64, 4));
        CollectingSink sink = new CollectingSink();
        engine.submit(new EngineRequest(new int[] {1, 5}, 120, SamplingParams.greedy(), List.of(), -1, true), sink);
        engine.shutdown(Duration.ZERO);
        assertThatThrownBy(sink.done::get).isInstanceOf(ExecutionException.class).hasMessageContaining("shut down");
        assertThatThrownBy(() -> engine.submit(EngineFixtures.request(new int[] {1}, 3, SamplingParams.greedy()), new CollectingSink()))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("shutting down");
        engine.shutdown(Duration.ofSeconds(1)); // idempotent
    }

    @Test
    void gracefulShutdownLetsShortRequestsFinish() {
        BatchingEngine engine = engine(config(2, 64, 4));
        CollectingSink sink = new CollectingSink();
        engine.submit(EngineFixtures.request(new int[] {1, 5}, 8, SamplingParams.greedy()), sink);
        engine.shutdown(Duration.ofSeconds(30));
        assertThat(sink.done).isCompleted();
        assertThat(sink.await().completionTokens()).isPositive();
    }

    private static int[] concat(int[] a, int[] b, int[] c) {
        int[] out = Arrays.copyOf(a, a.length + b.length + c.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }
}
