package io.llmopt.cli.eval;

import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.cli.SparseOptions;
import java.io.PrintWriter;
import java.nio.file.Path;

/** A model opened for evaluation with its worker pool; closing stops the pool and unmaps the file. */
record ModelRuntime(LoadedModel loaded, WorkerPool pool, LlamaModel model) implements AutoCloseable {

    static ModelRuntime open(Path path, int threads, SparseOptions sparse, PrintWriter err) {
        if (threads < 1) {
            throw new LlmoptException("-t must be at least 1, got " + threads);
        }
        LoadedModel opened = ModelLoader.load(path);
        LoadedModel loaded;
        try {
            loaded = sparse.apply(opened, err);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        WorkerPool pool = new WorkerPool(threads);
        return new ModelRuntime(loaded, pool, new LlamaModel(loaded.config(), loaded.weights(), KernelProvider.get(), pool));
    }

    /** The context to use when none is given: the model's own, at most 4096 (llama.cpp's default -c). */
    int defaultContext() {
        return Math.min(loaded.config().contextLength(), 4096);
    }

    String name() {
        return loaded.path().getFileName().toString();
    }

    @Override
    public void close() {
        pool.shutdown();
        loaded.close();
    }
}
