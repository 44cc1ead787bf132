package io.llmopt.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.generate.FinishReason;
import io.llmopt.model.generate.GenerationResult;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.ScalarKernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Batching never changes results: 16 concurrent greedy requests (prompts of 4 to 90 tokens, a step budget of 48
 * tokens so prefill chunks share steps with decode tokens) generate exactly what each generates alone through
 * {@link io.llmopt.model.generate.Generator}. Exact on the scalar kernels (batch-invariant by construction); on the
 * vector kernels a token's logits in a shared step differ from its solo GEMV logits by a few 1e-6 (GEMM vs GEMV
 * summation order), which did not flip a greedy token on these models — if it ever does, the failure is the
 * kernels' batch variance, not the engine (the scalar variant tells them apart).
 */
class GreedyIdentityTest {

    @Test
    void sixteenConcurrentRequestsMatchGeneratorOnScalarKernels() {
        check(EngineFixtures.STORIES, new ScalarKernels(), 36);
    }

    @Test
    void sixteenConcurrentRequestsMatchGeneratorOnQuantizedModelWithDefaultKernels() {
        check(EngineFixtures.REF_Q4, KernelProvider.get(), 24);
    }

    @Test
    void sixteenConcurrentRequestsMatchGeneratorOnDefaultKernels() {
        check(EngineFixtures.STORIES, KernelProvider.get(), 36);
    }

    private static void check(String modelPath, Kernels kernels, int maxNew) {
        WorkerPool pool = new WorkerPool(2);
        try (LoadedModel reference = EngineFixtures.load(modelPath)) {
            List<int[]> prompts = EngineFixtures.prompts(reference, 16, 4, 90);
            List<GenerationResult> expected = new ArrayList<>();
            for (int[] p : prompts) {
                expected.add(EngineFixtures.alone(reference, kernels, pool, p, maxNew, SamplingParams.greedy(), List.of()));
            }
            LoadedModel served = EngineFixtures.load(modelPath);
            BatchingEngine engine = BatchingEngine.start(served, EngineFixtures.config(16, 48, 256, 8, reference.config().contextLength(), true), kernels);
            try {
                List<CollectingSink> sinks = new ArrayList<>();
                for (int[] p : prompts) {
                    CollectingSink sink = new CollectingSink();
                    engine.submit(EngineFixtures.request(p, maxNew, SamplingParams.greedy()), sink);
                    sinks.add(sink);
                }
                for (int i = 0; i < prompts.size(); i++) {
                    Completion c = sinks.get(i).await();
                    GenerationResult e = expected.get(i);
                    assertThat(sinks.get(i).ids()).as("%s request %d (prompt %d tokens)", kernels.name(), i, prompts.get(i).length)
                            .containsExactly(e.tokens());
                    assertThat(sinks.get(i).text()).as("text of request %d", i).isEqualTo(e.text());
                    assertThat(c.reason().name()).isEqualTo(e.finishReason() == FinishReason.STOP ? "STOP" : "LENGTH");
                    assertThat(c.promptTokens()).isEqualTo(prompts.get(i).length);
                }
                EngineFixtures.awaitIdle(engine);
                EngineStats s = engine.stats();
                assertThat(s.kvBlocksUsed()).isZero();
                assertThat(s.running()).isZero();
                System.out.println("greedy identity " + modelPath + " " + kernels.name() + ": " + s);
            } finally {
                engine.shutdown(Duration.ofSeconds(5));
            }
        } finally {
            pool.shutdown();
        }
    }
}
