package io.llmopt.cli.prune;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.compress.prune.ModelPruner;
import io.llmopt.compress.prune.PruneListener;
import io.llmopt.compress.prune.PruneMethod;
import io.llmopt.compress.prune.PruneOptions;
import io.llmopt.compress.prune.SparseGpt;
import io.llmopt.compress.prune.SparsityPattern;
import io.llmopt.eval.Perplexity;
import io.llmopt.eval.PerplexityOptions;
import io.llmopt.eval.PerplexityResult;
import io.llmopt.eval.ProgressListener;
import io.llmopt.eval.ScoredPositionListener;
import io.llmopt.eval.report.LineChart;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in (-Dllmopt.pruneCurves=true, a few minutes): perplexity of ref-tinystories on the TinyStories validation
 * text (llama-perplexity method, -c 256, first 60 of 159 chunks) after magnitude / Wanda / SparseGPT pruning at 10…70 % and 2:4,
 * calibrated on 32 × 256 tokens of tinystories-train.txt (seed 0). Writes docs/pruning/ppl-vs-sparsity.png and
 * docs/pruning/ppl-vs-sparsity.md (the table copied into docs/PRUNING.md).
 *
 * <pre>./mvnw -B -q -pl llmopt-cli -am test -Dtest=PruneCurvesRun -Dllmopt.pruneCurves=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class PruneCurvesRun {
    private static final double[] SPARSITIES = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7};
    private static final int SAMPLES = Integer.getInteger("llmopt.pruneCurves.samples", 32);
    private static final int CHUNKS = Integer.getInteger("llmopt.pruneCurves.chunks", 60);

    @Test
    @EnabledIfSystemProperty(named = "llmopt.pruneCurves", matches = "true")
    void perplexityVsSparsity() throws Exception {
        Path modelPath = SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf");
        String evalText = Files.readString(SharedData.require("data/tinystories-v2-gpt4-valid-first100.txt"));
        String calibText = Files.readString(SharedData.require("data/tinystories-train.txt"));
        Path docs = Path.of(System.getProperty("llmopt.docs", "../docs")).resolve("pruning");
        Files.createDirectories(docs);
        int threads = Runtime.getRuntime().availableProcessors();
        try (LoadedModel m = ModelLoader.load(modelPath)) {
            CalibrationSet calib = CalibrationSet.sample(m.tokenizer(), calibText, "tinystories-train.txt", SAMPLES, 256, 0);
            int[] tokens = Perplexity.tokenize(m.tokenizer(), evalText);
            int bos = Perplexity.chunkBos(m.tokenizer(), tokens);
            double dense = ppl(m.config(), m.weights(), tokens, bos, threads);
            System.out.printf("dense %.4f%n", dense);
            Map<String, List<double[]>> series = new LinkedHashMap<>();
            StringBuilder table = new StringBuilder("| sparsity | magnitude | Wanda | SparseGPT |\n|---|---|---|---|\n");
            table.append(String.format("| 0 %% (dense) | %.4f | %.4f | %.4f |%n", dense, dense, dense));
            PruneMethod[] methods = {PruneMethod.MAGNITUDE, PruneMethod.WANDA, PruneMethod.SPARSEGPT};
            for (PruneMethod pm : methods) {
                series.put(pm.cliName(), new ArrayList<>(List.of(new double[] {0, dense})));
            }
            for (double s : SPARSITIES) {
                table.append(String.format("| %.0f %% |", s * 100));
                for (PruneMethod pm : methods) {
                    double p = run(m, calib, pm, SparsityPattern.unstructured(s), tokens, bos, threads);
                    series.get(pm.cliName()).add(new double[] {s * 100, p});
                    table.append(String.format(" %.4f |", p));
                }
                table.append('\n');
            }
            table.append("| 2:4 (50 %) |");
            for (PruneMethod pm : methods) {
                double p = run(m, calib, pm, SparsityPattern.parseNm("2:4"), tokens, bos, threads);
                table.append(String.format(" %.4f |", p));
                series.computeIfAbsent(pm.cliName() + " 2:4", k -> new ArrayList<>()).add(new double[] {50, p});
            }
            table.append('\n');
            String subtitle = String.format("ref-tinystories (4.1 M params), tinystories-v2-gpt4-valid-first100 -c 256 (first %d chunks, %d tokens scored); "
                    + "calibration %d × 256 tokens of tinystories-train.txt", CHUNKS, CHUNKS * 127, SAMPLES);
            Files.write(docs.resolve("ppl-vs-sparsity.png"), LineChart.png("Perplexity vs sparsity (lower is better)", subtitle,
                    "sparsity of every decoder-layer matrix (%)", "perplexity (log scale)", series, true));
            Files.writeString(docs.resolve("ppl-vs-sparsity.md"), table.toString());
            System.out.println(table);
        }
    }

    private static double run(LoadedModel m, CalibrationSet calib, PruneMethod method, SparsityPattern p, int[] tokens, int bos,
            int threads) {
        long t0 = System.nanoTime();
        PruneOptions o = new PruneOptions(method, p, List.of(), SparseGpt.DEFAULT_BLOCK, SparseGpt.DEFAULT_DAMP, threads);
        ModelPruner.Result r = ModelPruner.prune(m.config(), m.weights(), calib, o, PruneListener.NONE);
        double ppl = ppl(r.config(), r.weights(), tokens, bos, threads);
        double meanError = r.report().matrices().stream().mapToDouble(x -> x.relativeError()).average().orElse(0);
        System.out.printf("%-10s %-5s ppl %.4f  sparsity %.4f  mean rel. error %.4f  (%.1f s)%n", method.cliName(), p, ppl,
                r.report().sparsity(), meanError, (System.nanoTime() - t0) / 1e9);
        return ppl;
    }

    private static double ppl(LlamaConfig c, LlamaWeights w, int[] tokens, int bos, int threads) {
        WorkerPool pool = new WorkerPool(threads);
        try {
            LlamaModel model = new LlamaModel(c, w, KernelProvider.get(), pool);
            PerplexityResult r = new Perplexity(model, PerplexityOptions.chunks(256).withMaxChunks(CHUNKS)).run(tokens, bos, ScoredPositionListener.NONE,
                    ProgressListener.NONE);
            return r.ppl();
        } finally {
            pool.shutdown();
        }
    }
}
