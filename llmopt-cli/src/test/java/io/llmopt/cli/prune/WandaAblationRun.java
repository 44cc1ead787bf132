package io.llmopt.cli.prune;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.compress.prune.Magnitude;
import io.llmopt.compress.prune.MaskSelection;
import io.llmopt.compress.prune.ModelPruner;
import io.llmopt.compress.prune.PruneListener;
import io.llmopt.compress.prune.PruneMethod;
import io.llmopt.compress.prune.PruneOptions;
import io.llmopt.compress.prune.SparseGpt;
import io.llmopt.compress.prune.SparsityPattern;
import io.llmopt.compress.prune.Wanda;
import io.llmopt.eval.Perplexity;
import io.llmopt.eval.PerplexityOptions;
import io.llmopt.eval.PerplexityResult;
import io.llmopt.eval.ProgressListener;
import io.llmopt.eval.ScoredPositionListener;
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
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in (-Dllmopt.wandaAblation=true, ≈ 10 min): the 50 % point of ref-tinystories (same evaluation as
 * {@link PruneCurvesRun}: -c 256, first 60 chunks) for magnitude and Wanda with both comparison groups (each
 * output row, or the whole matrix) and with 32 or {@code llmopt.wandaAblation.moreSamples} (default 128)
 * calibration windows of 256 tokens. Also prints the spread of the activation column norms ‖X_j‖ per input
 * group (max/median, max/min) — Wanda differs from magnitude only as far as these norms differ.
 *
 * <pre>./mvnw -B -q -pl llmopt-cli -am test -Dtest=WandaAblationRun -Dllmopt.wandaAblation=true -Dsurefire.failIfNoSpecifiedTests=false</pre>
 */
class WandaAblationRun {
    private static final int CHUNKS = 60;
    private static final double S = 0.5;

    @Test
    @EnabledIfSystemProperty(named = "llmopt.wandaAblation", matches = "true")
    void ablations() throws Exception {
        Path modelPath = SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf");
        String evalText = Files.readString(SharedData.require("data/tinystories-v2-gpt4-valid-first100.txt"));
        String calibText = Files.readString(SharedData.require("data/tinystories-train.txt"));
        int threads = Runtime.getRuntime().availableProcessors();
        int more = Integer.getInteger("llmopt.wandaAblation.moreSamples", 128);
        try (LoadedModel m = ModelLoader.load(modelPath)) {
            int[] tokens = Perplexity.tokenize(m.tokenizer(), evalText);
            int bos = Perplexity.chunkBos(m.tokenizer(), tokens);
            CalibrationSet c32 = CalibrationSet.sample(m.tokenizer(), calibText, "tinystories-train.txt", 32, 256, 0);
            System.out.printf("dense %.4f%n", ppl(m.config(), m.weights(), tokens, bos, threads));
            ModelPruner.MatrixRule magRow = (n, w, x) -> MaskSelection.apply(w.values(),
                    MaskSelection.perRow(Magnitude.scores(w.values()), w.rows(), w.cols(), S));
            ModelPruner.MatrixRule wandaRow = (n, w, x) -> {
                printSpread(n, x.columnNorms());
                MaskSelection.apply(w.values(), Wanda.mask(w.values(), w.rows(), w.cols(), x.columnNorms(), SparsityPattern.unstructured(S)));
            };
            ModelPruner.MatrixRule wandaLayer = (n, w, x) -> MaskSelection.apply(w.values(),
                    MaskSelection.perMatrix(Wanda.scores(w.values(), w.rows(), w.cols(), x.columnNorms()), S));
            run("magnitude per-matrix (shipped)", m, c32, null, tokens, bos, threads);
            run("magnitude per-row", m, c32, magRow, tokens, bos, threads);
            run("wanda per-row (shipped), 32x256", m, c32, wandaRow, tokens, bos, threads);
            run("wanda per-matrix, 32x256", m, c32, wandaLayer, tokens, bos, threads);
            CalibrationSet cMore = CalibrationSet.sample(m.tokenizer(), calibText, "tinystories-train.txt", more, 256, 0);
            run("wanda per-row, " + more + "x256", m, cMore, wandaRow, tokens, bos, threads);
            run("wanda per-matrix, " + more + "x256", m, cMore, wandaLayer, tokens, bos, threads);
        }
    }

    /** Second batch (-Dllmopt.wandaAblation=extra): noise from the calibration draw, squared norms, mixed rules. */
    @Test
    @EnabledIfSystemProperty(named = "llmopt.wandaAblation", matches = "extra")
    void extras() throws Exception {
        Path modelPath = SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf");
        String evalText = Files.readString(SharedData.require("data/tinystories-v2-gpt4-valid-first100.txt"));
        String calibText = Files.readString(SharedData.require("data/tinystories-train.txt"));
        int threads = Runtime.getRuntime().availableProcessors();
        try (LoadedModel m = ModelLoader.load(modelPath)) {
            int[] tokens = Perplexity.tokenize(m.tokenizer(), evalText);
            int bos = Perplexity.chunkBos(m.tokenizer(), tokens);
            ModelPruner.MatrixRule wandaRow = (n, w, x) -> MaskSelection.apply(w.values(),
                    Wanda.mask(w.values(), w.rows(), w.cols(), x.columnNorms(), SparsityPattern.unstructured(S)));
            for (long seed = 1; seed <= 2; seed++) {
                CalibrationSet c = CalibrationSet.sample(m.tokenizer(), calibText, "tinystories-train.txt", 32, 256, seed);
                run("wanda per-row, 32x256 seed " + seed, m, c, wandaRow, tokens, bos, threads);
            }
            CalibrationSet c32 = CalibrationSet.sample(m.tokenizer(), calibText, "tinystories-train.txt", 32, 256, 0);
            ModelPruner.MatrixRule squaredLayer = (n, w, x) -> MaskSelection.apply(w.values(),
                    MaskSelection.perMatrix(Wanda.scores(w.values(), w.rows(), w.cols(), x.columnSquaredNorms()), S));
            run("|W|*||X||^2 per-matrix", m, c32, squaredLayer, tokens, bos, threads);
            // Wanda only where the norms vary (inputs of attn_output and ffn_down), magnitude per matrix elsewhere
            ModelPruner.MatrixRule mixed = (n, w, x) -> {
                if (n.contains("attn_output") || n.contains("ffn_down")) {
                    wandaRow.prune(n, w, x);
                } else {
                    MaskSelection.apply(w.values(), MaskSelection.perMatrix(Magnitude.scores(w.values()), S));
                }
            };
            run("wanda-row on o/down, magnitude else", m, c32, mixed, tokens, bos, threads);
        }
    }

    private static void printSpread(String name, double[] norms) {
        double[] s = norms.clone();
        Arrays.sort(s);
        System.out.printf("  ||X_j|| %-24s max/median %7.2f  max/min %8.2f%n", name, s[s.length - 1] / s[s.length / 2],
                s[s.length - 1] / Math.max(1e-30, s[0]));
    }

    private static void run(String label, LoadedModel m, CalibrationSet calib, ModelPruner.MatrixRule rule, int[] tokens,
            int bos, int threads) {
        long t0 = System.nanoTime();
        PruneOptions o = new PruneOptions(PruneMethod.MAGNITUDE, SparsityPattern.unstructured(S), List.of(), SparseGpt.DEFAULT_BLOCK,
                SparseGpt.DEFAULT_DAMP, threads);
        ModelPruner.Result r = ModelPruner.prune(m.config(), m.weights(), calib, o, rule, PruneListener.NONE);
        double p = ppl(r.config(), r.weights(), tokens, bos, threads);
        double meanError = r.report().matrices().stream().mapToDouble(x -> x.relativeError()).average().orElse(0);
        System.out.printf("RESULT %-34s ppl %.4f  sparsity %.4f  mean rel. error %.4f  (%.1f s)%n", label, p, r.report().sparsity(),
                meanError, (System.nanoTime() - t0) / 1e9);
    }

    private static double ppl(LlamaConfig c, LlamaWeights w, int[] tokens, int bos, int threads) {
        WorkerPool pool = new WorkerPool(threads);
        try {
            LlamaModel model = new LlamaModel(c, w, KernelProvider.get(), pool);
            PerplexityResult r = new Perplexity(model, PerplexityOptions.chunks(256).withMaxChunks(CHUNKS)).run(tokens, bos,
                    ScoredPositionListener.NONE, ProgressListener.NONE);
            return r.ppl();
        } finally {
            pool.shutdown();
        }
    }
}
