package io.llmopt.cli.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.cli.SparseOptions;
import io.llmopt.eval.BaseLogits;
import io.llmopt.eval.KlDivergence;
import io.llmopt.eval.KlDivergenceResult;
import io.llmopt.eval.LogitsFileHeader;
import io.llmopt.eval.LogitsFileReader;
import io.llmopt.eval.LogitsFileWriter;
import io.llmopt.eval.Perplexity;
import io.llmopt.eval.PerplexityOptions;
import io.llmopt.eval.PerplexityResult;
import io.llmopt.eval.ScoredPositionListener;
import io.llmopt.tensor.LlmoptException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code llmopt eval ppl}: perplexity exactly as llama.cpp's llama-perplexity computes it (or a sliding
 * window with --stride); with --save-logits it also saves the base log-probs, with --kl-divergence it scores
 * a variant against saved ones on the very same tokens and positions.
 */
@Command(name = "ppl", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Perplexity with llama-perplexity's method: the text tokenized once with BOS, chunks of CTX tokens "
                + "whose first token becomes BOS, the second half of each chunk scored. Prints PPL +/- its standard error.",
            "KL divergence: run the base model with --save-logits FILE, then a variant with --kl-divergence FILE."})
public final class PplCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "Model: GGUF file, Hugging Face directory or llama2.c .bin.")
    Path model;

    @Option(names = {"-f", "--file"}, description = "UTF-8 text to score (optional with --kl-divergence: the file stores its tokens).")
    Path text;

    @Option(names = {"-c", "--ctx"}, description = "Context length: tokens per chunk (default: the model's, at most 4096).")
    Integer ctx;

    @Option(names = {"-b", "--batch"}, defaultValue = "512", description = "Tokens per forward pass (default: ${DEFAULT-VALUE}, at most ctx).")
    int batch;

    @Option(names = "--chunks", defaultValue = "0", description = "Score at most N chunks (windows with --stride); 0 = all.")
    int chunks;

    @Option(names = "--stride", defaultValue = "0",
            description = "Sliding window (Hugging Face recipe): windows of ctx tokens every S tokens, each token scored once. 0 = llama.cpp chunks.")
    int stride;

    @Option(names = "--save-logits", paramLabel = "FILE", description = "Save this (base) model's log-probs of every scored position.")
    Path saveLogits;

    @Option(names = "--kl-top-k", defaultValue = "" + BaseLogits.DEFAULT_TOP_K,
            description = "Log-probs kept per position by --save-logits (default: ${DEFAULT-VALUE}; 8*K+8 bytes per position).")
    int topK;

    @Option(names = "--kl-divergence", paramLabel = "FILE", description = "Compare with base log-probs saved by --save-logits.")
    Path klDivergence;

    @Option(names = {"-t", "--threads"}, description = "Worker threads (default: available processors).")
    Integer threads;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Mixin
    SparseOptions sparse = new SparseOptions();

    @Override
    public Integer call() {
        if (saveLogits != null && klDivergence != null) {
            throw new LlmoptException("--save-logits and --kl-divergence do not go together: save with the base model, compare with the variant");
        }
        if (text == null && klDivergence == null) {
            throw new LlmoptException("missing -f TEXT (the text to score)");
        }
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        try (ModelRuntime runtime = ModelRuntime.open(model, threadCount, sparse, spec.commandLine().getErr())) {
            return klDivergence != null ? compare(runtime) : score(runtime);
        }
    }

    private int score(ModelRuntime runtime) {
        String content = TextFiles.read(text);
        int[] tokens = Perplexity.tokenize(runtime.loaded().tokenizer(), content);
        int bos = Perplexity.chunkBos(runtime.loaded().tokenizer(), tokens);
        PerplexityOptions options = new PerplexityOptions(ctx != null ? ctx : runtime.defaultContext(), batch, chunks, stride);
        Perplexity ppl = new Perplexity(runtime.model(), options);
        ScoredPositionListener listener = ScoredPositionListener.NONE;
        LogitsFileWriter writer = null;
        if (saveLogits != null) {
            if (topK < 1) {
                throw new LlmoptException("--kl-top-k must be at least 1, got " + topK);
            }
            LogitsFileHeader header = BaseLogits.header(options, ppl.plan(tokens.length, bos), tokens, bos,
                    runtime.loaded().config().vocabSize(), topK, runtime.name());
            writer = new LogitsFileWriter(saveLogits, header);
            listener = writer;
        }
        ProgressBar bar = new ProgressBar(System.err, options.stride() == 0 ? "chunks" : "windows");
        PerplexityResult result;
        Path tempLogits = saveLogits == null ? null : saveLogits.resolveSibling(saveLogits.getFileName() + ".tmp");
        try (OnInterrupt _ = new OnInterrupt(() -> {
            bar.finish();
            deleteQuietly(tempLogits);
            System.err.println("interrupted: partial result");
            print(runtime, ppl.snapshot(), null);
        })) {
            result = ppl.run(tokens, bos, listener, bar);
            if (writer != null) {
                writer.finish();
            }
        } finally {
            if (writer != null) {
                writer.close();
            }
        }
        bar.finish();
        print(runtime, result, null);
        return 0;
    }

    private int compare(ModelRuntime runtime) {
        try (LogitsFileReader reader = LogitsFileReader.open(klDivergence)) {
            LogitsFileHeader h = reader.header();
            BaseLogits.checkModel(klDivergence, h, runtime.loaded().config().vocabSize());
            if (ctx != null) {
                BaseLogits.checkContext(klDivergence, h, ctx);
            }
            if (stride != 0 && stride != h.stride()) {
                throw new LlmoptException(klDivergence + ": base logits were saved with --stride " + h.stride() + ", this run asks for " + stride);
            }
            if (text != null) {
                BaseLogits.checkText(klDivergence, h, Perplexity.tokenize(runtime.loaded().tokenizer(), TextFiles.read(text)), text.toString());
            }
            PerplexityOptions options = BaseLogits.options(h, batch, chunks);
            Perplexity ppl = new Perplexity(runtime.model(), options);
            KlDivergence kl = new KlDivergence(reader);
            ProgressBar bar = new ProgressBar(System.err, options.stride() == 0 ? "chunks" : "windows");
            PerplexityResult result;
            try (OnInterrupt _ = new OnInterrupt(() -> {
                bar.finish();
                System.err.println("interrupted: partial result");
                print(runtime, ppl.snapshot(), kl.result(false));
            })) {
                result = ppl.run(h.tokens(), h.bos(), kl, bar);
            }
            bar.finish();
            print(runtime, result, kl.result(result.complete()));
            return 0;
        }
    }

    private void print(ModelRuntime runtime, PerplexityResult r, KlDivergenceResult kl) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode node = EvalJson.MAPPER.createObjectNode();
            node.put("model", model.toString());
            node.put("text", text != null ? text.toString() : null);
            node.setAll(EvalJson.tree(r));
            node.put("tokens_per_second", r.tokensPerSecond());
            if (saveLogits != null) {
                node.put("saved_logits", saveLogits.toString());
            }
            if (kl != null) {
                node.put("kl_divergence_file", klDivergence.toString());
                node.set("kl_divergence", EvalJson.tree(kl));
            }
            out.println(EvalJson.write(node));
        } else {
            out.printf("model %s, %s, -c %d%s: %d of %d chunks, %d tokens scored of %d, %.1f s (%.0f tokens/s)%n", runtime.name(),
                    text != null ? text : klDivergence, r.ctx(), r.stride() > 0 ? " --stride " + r.stride() : "", r.chunks(),
                    r.chunksPlanned(), r.tokensScored(), r.textTokens(), r.elapsedSeconds(), r.tokensPerSecond());
            out.printf("%s estimate: PPL = %.4f +/- %.5f%n", r.complete() ? "Final" : "Partial", r.ppl(), r.pplStderr());
            if (saveLogits != null && r.complete()) {
                out.printf("saved base log-probs (top %d per position) to %s (%,d bytes)%n", Math.min(topK, runtime.loaded().config().vocabSize()),
                        saveLogits, size(saveLogits));
            }
            if (kl != null) {
                KlReport.print(out, kl);
            }
        }
        out.flush();
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (java.io.IOException ignored) {
                // Best effort while the JVM stops; a stale FILE.tmp is harmless and overwritten next time.
            }
        }
    }
}
