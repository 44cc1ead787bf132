package io.llmopt.cli;

import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.io.PrintWriter;

/** A loaded model ready to run: the file, a kernel pool of the requested size, the model. */
final class ModelSession implements AutoCloseable {
    final LoadedModel loaded;
    final WorkerPool pool;
    final LlamaModel model;
    final int contextLength;

    /** @param err where {@code --sparse auto} reports what it repacked */
    ModelSession(ModelOptions o, PrintWriter err) {
        if (o.threads < 1) {
            throw new LlmoptException("-t/--threads must be >= 1, got " + o.threads);
        }
        if (o.contextSize < 0) {
            throw new LlmoptException("-c/--ctx-size must be >= 0, got " + o.contextSize);
        }
        LoadedModel opened = ModelLoader.load(o.file.model(), o.file.tokenizer);
        try {
            this.loaded = o.sparse.apply(opened, err);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        this.pool = new WorkerPool(o.threads);
        this.model = new LlamaModel(loaded.config(), loaded.weights(), KernelProvider.get(), pool);
        this.contextLength = o.contextSize > 0 ? o.contextSize : loaded.config().contextLength();
    }

    @Override
    public void close() {
        pool.shutdown();
        loaded.close();
    }
}
