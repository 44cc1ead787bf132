package io.llmopt.model.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A second turn that reuses the cached prefix generates exactly what a fresh run over the whole prompt does. */
class GeneratorPrefixReuseTest {

    @Test
    void reusingTheCachedPrefixChangesNothing() {
        WorkerPool pool = new WorkerPool(2);
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"))) {
            LlamaModel model = new LlamaModel(m.config(), m.weights(), KernelProvider.get(), pool);
            Generator g = new Generator(model, m.tokenizer());
            int[] first = m.tokenizer().encode("Once upon a time", true, false);
            ForwardState reused = model.newState(256, 64);
            GenerationResult r1 = g.generate(new GenerationRequest(first, 20, SamplingParams.greedy(), List.of(), true), reused, 0, s -> { });
            assertThat(r1.cachedTokens()).isEqualTo(first.length + 19); // the last sampled token is not fed
            int[] more = m.tokenizer().encode(" The dog", false, false);
            int[] second = concat(first, r1.tokens(), more);
            GenerationRequest req2 = new GenerationRequest(second, 20, SamplingParams.greedy(), List.of(), true);
            GenerationResult warm = g.generate(req2, reused, r1.cachedTokens(), s -> { });
            GenerationResult cold = g.generate(req2, model.newState(256, 64), 0, s -> { });
            assertThat(warm.tokens()).containsExactly(cold.tokens());
            assertThat(warm.text()).isEqualTo(cold.text());
        } finally {
            pool.shutdown();
        }
    }

    private static int[] concat(int[] a, int[] b, int[] c) {
        int[] out = Arrays.copyOf(a, a.length + b.length + c.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        System.arraycopy(c, 0, out, a.length + b.length, c.length);
        return out;
    }
}
