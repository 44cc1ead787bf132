package io.llmopt.engine;

import io.llmopt.model.LlamaModel;
import io.llmopt.model.generate.GenerationRequest;
import io.llmopt.model.generate.GenerationResult;
import io.llmopt.model.generate.Generator;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared models, prompts and the one-sequence reference for the engine tests. */
final class EngineFixtures {
    static final String STORIES = "models/stories260K/stories260K-f32.gguf";
    static final String REF_Q4 = "models/ref-tinystories/ref-tinystories-Q4_K_M.gguf";

    private EngineFixtures() {
    }

    static LoadedModel load(String relative) {
        return ModelLoader.load(SharedData.require(relative));
    }

    static EngineConfig config(int maxSeqs, int maxTokens, int blocks, int blockSize, int context, boolean prefix) {
        return new EngineConfig(maxSeqs, maxTokens, blocks, blockSize, 64, context, prefix, 2);
    }

    /** {@code count} BOS-prefixed prompts of different lengths cut from the TinyStories validation text. */
    static List<int[]> prompts(LoadedModel m, int count, int minTokens, int maxTokens) {
        String text;
        try {
            text = Files.readString(SharedData.require("data/tinystories-validation-head.txt"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        int[] all = m.tokenizer().encode(text.substring(0, 20000), false, false);
        List<int[]> out = new ArrayList<>();
        int bos = m.tokenizer().bos().orElseThrow();
        for (int i = 0; i < count; i++) {
            int len = minTokens + (i * 37) % (maxTokens - minTokens + 1);
            int start = (i * 613) % (all.length - len);
            int[] p = new int[len];
            p[0] = bos;
            System.arraycopy(all, start, p, 1, len - 1);
            out.add(p);
        }
        return out;
    }

    /** The single-sequence reference: Generator on the contiguous cache. */
    static GenerationResult alone(LoadedModel m, Kernels kernels, WorkerPool pool, int[] prompt, int maxTokens,
            SamplingParams sampling, List<String> stops) {
        LlamaModel model = new LlamaModel(m.config(), m.weights(), kernels, pool);
        Generator g = new Generator(model, m.tokenizer());
        return g.generate(new GenerationRequest(prompt, maxTokens, sampling, stops, false), prompt.length + maxTokens + 1, s -> { });
    }

    static EngineRequest request(int[] prompt, int maxTokens, SamplingParams sampling) {
        return new EngineRequest(prompt, maxTokens, sampling, List.of(), -1, false);
    }

    /** Stats are published after the step that finished the last request: wait for the idle snapshot. */
    static void awaitIdle(BatchingEngine engine) {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            EngineStats s = engine.stats();
            if (s.kvBlocksUsed() == 0 && s.running() == 0 && s.waiting() == 0) {
                return;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError("engine did not become idle: " + engine.stats());
    }
}
