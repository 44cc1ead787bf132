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

    @Test
    void runsThePromptAndTheStepsAndChangesNoResult() {
        WorkerPool pool = new WorkerPool(2);
        try (Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(SharedData.require("models/stories260K/stories260K.bin"))) {
            LlamaModel m = new LlamaModel(Llama2cLoader.config(ckpt.header()), Llama2cLoader.weights(ckpt), KernelProvider.get(), pool);
            float[] before = logits(m);
            ModelWarmUp w = ModelWarmUp.start(m, 16, 16);
            assertThat(w.await()).isNotNegative();
            assertThat(w.tokens()).as("prompt tokens + decode steps run").isEqualTo(32);
            assertThat(logits(m)).as("logits after the warm-up").containsExactly(before);
            w.cancel(); // after the end: returns at once
            assertThat(w.tokens()).isEqualTo(32);
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void stepsAreCutToTheContext() {
        WorkerPool pool = new WorkerPool(1);
        try (Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(SharedData.require("models/stories260K/stories260K.bin"))) {
            LlamaConfig c = Llama2cLoader.config(ckpt.header());
            LlamaModel m = new LlamaModel(c, Llama2cLoader.weights(ckpt), KernelProvider.get(), pool);
            ModelWarmUp w = ModelWarmUp.start(m, c.contextLength() + 5, 10);
            w.await();
            assertThat(w.tokens()).as("a prompt one short of the context, then one step").isEqualTo(c.contextLength());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void cancelStopsBeforeTheLastStep() {
        WorkerPool pool = new WorkerPool(2);
        try (Llama2cCheckpoint ckpt = Llama2cCheckpoint.open(SharedData.require("models/ref-tinystories/ref-tinystories.bin"))) {
            LlamaConfig c = Llama2cLoader.config(ckpt.header());
            LlamaModel m = new LlamaModel(c, Llama2cLoader.weights(ckpt), KernelProvider.get(), pool);
            int steps = c.contextLength() - 16;
            ModelWarmUp w = ModelWarmUp.start(m, 16, steps);
            w.cancel();
            assertThat(w.tokens()).as("tokens run before the cancel took effect").isLessThan(16 + steps);
            assertThat(logits(m)).as("the model still runs").hasSize(c.vocabSize());
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void badSizesAreRejected() {
        assertThatThrownBy(() -> ModelWarmUp.start(null, 0, 4)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("prompt token");
        assertThatThrownBy(() -> ModelWarmUp.start(null, 4, -1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("decode steps");
    }
}
