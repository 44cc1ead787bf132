package io.llmopt.eval.report;

import io.llmopt.eval.BaseLogits;
import io.llmopt.eval.KlDivergence;
import io.llmopt.eval.KlDivergenceResult;
import io.llmopt.eval.LogitsFileHeader;
import io.llmopt.eval.LogitsFileReader;
import io.llmopt.eval.LogitsFileWriter;
import io.llmopt.eval.Perplexity;
import io.llmopt.eval.PerplexityOptions;
import io.llmopt.eval.PerplexityResult;
import io.llmopt.eval.ProgressListener;
import io.llmopt.eval.mc.McItem;
import io.llmopt.eval.mc.McResult;
import io.llmopt.eval.mc.MultipleChoice;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Measures a base model and its variants the same way: the base's perplexity run saves its log-probs (a
 * temporary logits file), each variant is scored on exactly those tokens and positions (PPL, KL divergence,
 * top-1 agreement), then optionally the multiple-choice task and a speed bench. Models are loaded one at a
 * time and closed before the next.
 */
public final class ComparisonRunner {
    /**
     * @param contextLength 0 = the base model's own context, at most 4096
     * @param maxChunks     0 = the whole text
     * @param tasksItems    multiple-choice items, or null for none
     */
    public record Options(int contextLength, int batch, int maxChunks, int topK, String taskName, List<McItem> tasksItems,
            boolean bench, int benchPromptTokens, int benchGenTokens) {
    }

    private ComparisonRunner() {
    }

    /**
     * @param progress a progress listener for each phase, given its label (e.g. "Q4_0.gguf ppl")
     * @param workDir  where the temporary logits file goes
     */
    public static Comparison run(List<Path> models, String textName, String text, Options o, WorkerPool pool, Path workDir,
            Function<String, ProgressListener> progress) {
        if (models.isEmpty()) {
            throw new LlmoptException("compare needs at least one model (-m BASE [-m VARIANT …])");
        }
        Path logits;
        try {
            logits = Files.createTempFile(workDir, "base-", ".kld");
        } catch (IOException e) {
            throw new LlmoptException(workDir + ": cannot create a temporary file: " + e.getMessage(), e);
        }
        List<ComparisonEntry> entries = new ArrayList<>();
        int ctx = 0;
        int chunks = 0;
        long scored = 0;
        try {
            int[] benchTokens = null;
            for (int i = 0; i < models.size(); i++) {
                Path path = models.get(i);
                try (LoadedModel m = ModelLoader.load(path)) {
                    long t0 = System.nanoTime();
                    String label = path.getFileName().toString();
                    LlamaModel model = new LlamaModel(m.config(), m.weights(), KernelProvider.get(), pool);
                    PerplexityResult ppl;
                    double kld = 0;
                    double kldErr = 0;
                    double same = 1;
                    if (i == 0) {
                        int[] tokens = Perplexity.tokenize(m.tokenizer(), text);
                        benchTokens = tokens;
                        int bos = Perplexity.chunkBos(m.tokenizer(), tokens);
                        ctx = o.contextLength() > 0 ? o.contextLength() : Math.min(m.config().contextLength(), 4096);
                        PerplexityOptions po = new PerplexityOptions(ctx, o.batch(), o.maxChunks(), 0);
                        Perplexity run = new Perplexity(model, po);
                        LogitsFileHeader h = BaseLogits.header(po, run.plan(tokens.length, bos), tokens, bos, m.config().vocabSize(),
                                o.topK(), label);
                        try (LogitsFileWriter w = new LogitsFileWriter(logits, h)) {
                            ppl = run.run(tokens, bos, w, progress.apply(label + " ppl"));
                            w.finish();
                        }
                        chunks = ppl.chunks();
                        scored = ppl.tokensScored();
                    } else {
                        try (LogitsFileReader reader = LogitsFileReader.open(logits)) {
                            LogitsFileHeader h = reader.header();
                            BaseLogits.checkModel(path, h, m.config().vocabSize());
                            KlDivergence kl = new KlDivergence(reader);
                            ppl = new Perplexity(model, BaseLogits.options(h, o.batch(), 0)).run(h.tokens(), h.bos(), kl,
                                    progress.apply(label + " ppl+kld"));
                            KlDivergenceResult r = kl.result(true);
                            kld = r.kldMean();
                            kldErr = r.kldStderr();
                            same = r.sameTopP();
                        }
                    }
                    double acc = Double.NaN;
                    double accNorm = Double.NaN;
                    double accMutualInfo = Double.NaN;
                    if (o.tasksItems() != null) {
                        McResult mc = new MultipleChoice(model, m.tokenizer(), ctx, o.batch()).run(o.taskName(), o.tasksItems(),
                                progress.apply(label + " task"));
                        acc = mc.acc();
                        accNorm = mc.accNorm();
                        accMutualInfo = mc.accMutualInfo();
                    }
                    double pp = Double.NaN;
                    double tg = Double.NaN;
                    if (o.bench()) {
                        progress.apply(label + " bench").update(0, 1, "");
                        SpeedBench.Speed s = SpeedBench.measure(model, benchTokens, o.benchPromptTokens(), o.benchGenTokens(), 2);
                        pp = s.ppTokensPerSecond();
                        tg = s.tgTokensPerSecond();
                    }
                    long weights = 0;
                    for (Tensor t : m.fileTensors()) {
                        weights += t.elementCount();
                    }
                    double basePpl = entries.isEmpty() ? ppl.ppl() : entries.get(0).ppl();
                    double baseTg = entries.isEmpty() ? tg : entries.get(0).tgTokensPerSecond();
                    entries.add(new ComparisonEntry(label, path.toString(), m.fileBytes(), weights, m.fileBytes() * 8.0 / weights,
                            ppl.ppl(), ppl.pplStderr(), (ppl.ppl() / basePpl - 1) * 100, kld, kldErr, same, acc, accNorm, accMutualInfo, pp, tg,
                            tg / baseTg, PeakMemory.peakRssBytes(), (System.nanoTime() - t0) / 1e9));
                }
            }
        } finally {
            try {
                Files.deleteIfExists(logits);
            } catch (IOException ignored) {
                // A leftover temporary file in the report directory is harmless.
            }
        }
        return new Comparison(textName, ctx, chunks, scored, o.topK(), o.taskName(), o.tasksItems() == null ? 0 : o.tasksItems().size(),
                pool.threads(), entries);
    }
}
