package io.llmopt.eval;

import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

/** Shared helpers of the eval tests: one worker pool, models and texts from ../shared. */
final class TestModels {
    static final WorkerPool POOL = new WorkerPool(2);

    private TestModels() {
    }

    static LoadedModel load(String relative) {
        return ModelLoader.load(SharedData.require(relative));
    }

    static LlamaModel model(LoadedModel m) {
        return new LlamaModel(m.config(), m.weights(), KernelProvider.get(), POOL);
    }

    static String text(String relative) {
        try {
            return Files.readString(SharedData.require(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
