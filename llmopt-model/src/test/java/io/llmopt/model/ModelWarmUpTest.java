package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.formats.llama2c.Llama2cCheckpoint;
import io.llmopt.model.loader.Llama2cLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import org.junit.jupiter.api.Test;

/** The background warm-up runs what it says on a state of its own and leaves the model's results unchanged. */
class ModelWarmUpTest {

    private static float[] logits(LlamaModel m) {
        ForwardState s = m.newState(64, 16);
        int[] prompt = {1, 403, 407, 261, 378, 15, 302, 431};
        m.forward(s, prompt, 0, prompt.length, 0, false); // prompt batch (GEMM path)
        int[] next = {100};
        return m.forward(s, next, 0, 1, prompt.length, false).clone(); // one decode step (GEMV path)
    }

    /** Runs {@code test} on the llama2.c checkpoint at {@code path} (under ../shared) with a pool of {@code threads}. */
    private static void withModel(String path, int threads, java.util.function.Consumer<LlamaModel> test) {
        WorkerPool pool = new WorkerPool(threads);
        try (Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(SharedData.require(path))) {
            test.accept(new LlamaModel(Llama2cLoader.config(ckpt.header()), Llama2cLoader.weights(ckpt), KernelProvider.get(), pool));
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void runsThePromptAndTheStepsAndChangesNoResult() {
        withModel("models/stories260K/stories260K.bin", 2, m -> {
            float[] before = logits(m);
            ModelWarmUp w = ModelWarmUp.start(m, 16, 16);
            assertThat(w.await()).isNotNegative();
            assertThat(w.tokens()).as("prompt tokens + decode steps run").isEqualTo(32);
            assertThat(logits(m)).as("logits after the warm-up").containsExactly(before);
            w.cancel(); // after the end: returns at once
            assertThat(w.tokens()).isEqualTo(32);
        });
    }

    @Test
    void stepsAreCutToTheContext() {
        withModel("models/stories260K/stories260K.bin", 1, m -> {
            ModelWarmUp w = ModelWarmUp.start(m, m.config().contextLength() + 5, 10);
            w.await();
            assertThat(w.tokens()).as("a prompt one short of the context, then one step").isEqualTo(m.config().contextLength());
        });
    }

    @Test
    void cancelStopsBeforeTheLastStep() {
        withModel("models/ref-tinystories/ref-tinystories.bin", 2, m -> {
            int steps = m.config().contextLength() - 16;
            ModelWarmUp w = ModelWarmUp.start(m, 16, steps);
            w.cancel();
            assertThat(w.tokens()).as("tokens run before the cancel took effect").isLessThan(16 + steps);
            assertThat(logits(m)).as("the model still runs").hasSize(m.config().vocabSize());
        });
    }

    @Test
    void badSizesAreRejected() {
        assertThatThrownBy(() -> ModelWarmUp.start(null, 0, 4)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt token");
        assertThatThrownBy(() -> ModelWarmUp.start(null, 4, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decode steps");
    }
}
