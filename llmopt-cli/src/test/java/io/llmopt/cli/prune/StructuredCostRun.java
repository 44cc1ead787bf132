package io.llmopt.cli.prune;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.compress.prune.PrunedModelWriter;
import io.llmopt.compress.prune.structured.StructuredPruner;
import io.llmopt.compress.prune.structured.StructuredTarget;
import io.llmopt.eval.Perplexity;
import io.llmopt.eval.PerplexityOptions;
import io.llmopt.eval.ProgressListener;
import io.llmopt.eval.ScoredPositionListener;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in (-Dllmopt.structuredCost=true): perplexity and file size of ref-tinystories after removing 25 % of
 * heads (kv groups), MLP neurons or layers, same evaluation as {@link PruneCurvesRun}. The pruned GGUF files are
 * kept in -Dllmopt.structuredCost.dir (default /tmp) for llama.cpp checks.
 */
class StructuredCostRun {
    @Test
    @EnabledIfSystemProperty(named = "llmopt.structuredCost", matches = "true")
    void cost() throws Exception {
        Path modelPath = SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf");
        String evalText = Files.readString(SharedData.require("data/tinystories-v2-gpt4-valid-first100.txt"));
        String calibText = Files.readString(SharedData.require("data/tinystories-train.txt"));
        Path dir = Path.of(System.getProperty("llmopt.structuredCost.dir", "/tmp"));
        int chunks = Integer.getInteger("llmopt.pruneCurves.chunks", 60);
        try (LoadedModel m = ModelLoader.load(modelPath)) {
            CalibrationSet calib = CalibrationSet.sample(m.tokenizer(), calibText, "tinystories-train.txt", 32, 256, 0);
            int[] tokens = Perplexity.tokenize(m.tokenizer(), evalText);
            int bos = Perplexity.chunkBos(m.tokenizer(), tokens);
            System.out.printf("| pruned | config | parameters | GGUF bytes (F32) | PPL |%n|---|---|---|---|---|%n");
            System.out.printf("| none | %d layers, %d/%d heads, ff %d | %,d | %,d | %.4f |%n", m.config().numLayers(), m.config().numHeads(),
                    m.config().numKvHeads(), m.config().intermediateSize(), m.config().parameterCount(), Files.size(modelPath),
                    ppl(m.config(), m.weights(), tokens, bos, chunks));
            for (StructuredTarget.Kind kind : StructuredTarget.Kind.values()) {
                StructuredPruner.Result r = StructuredPruner.prune(m.config(), m.weights(), calib, new StructuredTarget(kind, 0.25), 2, s -> { });
                Path out = dir.resolve("ref-tinystories-" + kind.name().toLowerCase() + "25.gguf");
                PrunedModelWriter.writeGguf(out, m, r.config(), r.weights(), GgmlType.F32);
                LlamaConfig c = r.config();
                System.out.printf("| 25 %% %s (%s) | %d layers, %d/%d heads, ff %d | %,d | %,d | %.4f |%n", kind.name().toLowerCase(),
                        r.report().summary(), c.numLayers(), c.numHeads(), c.numKvHeads(), c.intermediateSize(), c.parameterCount(),
                        Files.size(out), ppl(c, r.weights(), tokens, bos, chunks));
            }
        }
    }

    private static double ppl(LlamaConfig c, LlamaWeights w, int[] tokens, int bos, int chunks) {
        WorkerPool pool = new WorkerPool(2);
        try {
            return new Perplexity(new LlamaModel(c, w, KernelProvider.get(), pool), PerplexityOptions.chunks(256).withMaxChunks(chunks))
                    .run(tokens, bos, ScoredPositionListener.NONE, ProgressListener.NONE).ppl();
        } finally {
            pool.shutdown();
        }
    }
}
