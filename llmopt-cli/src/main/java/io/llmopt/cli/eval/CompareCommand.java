package io.llmopt.cli.eval;

import io.llmopt.eval.BaseLogits;
import io.llmopt.eval.ProgressListener;
import io.llmopt.eval.mc.McFormat;
import io.llmopt.eval.mc.McItem;
import io.llmopt.eval.mc.McTaskReader;
import io.llmopt.eval.report.Comparison;
import io.llmopt.eval.report.ComparisonRunner;
import io.llmopt.eval.report.ReportWriter;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmopt compare}: a base model and its variants side by side, written as a report directory. */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare a base model (the first -m) with variants on one text: PPL, ΔPPL, KL divergence and top-1 "
                + "agreement vs the base, optional multiple-choice accuracy and speed. Writes report.md, report.json, "
                + "report.html and PNG charts to the output directory."})
public final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "Models, base first (repeat -m).")
    List<Path> models;

    @Option(names = {"-f", "--file"}, required = true, description = "UTF-8 text for perplexity and KL divergence.")
    Path text;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "REPORT_DIR", description = "Directory for the report.")
    Path output;

    @Option(names = {"-c", "--ctx"}, description = "Context length (default: the base model's, at most 4096).")
    Integer ctx;

    @Option(names = {"-b", "--batch"}, defaultValue = "512", description = "Tokens per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--chunks", defaultValue = "0", description = "Score at most N chunks of the text (0 = all).")
    int chunks;

    @Option(names = "--kl-top-k", defaultValue = "" + BaseLogits.DEFAULT_TOP_K, description = "Base log-probs kept per position (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--task", paramLabel = "FILE.jsonl", description = "Also score this multiple-choice task (see `llmopt eval mc`).")
    Path task;

    @Option(names = "--format", description = "Task format (default: detected per line).")
    String format;

    @Option(names = "--limit", defaultValue = "0", description = "Only the first N task items (0 = all).")
    int limit;

    @Option(names = "--bench", description = "Also measure prompt-processing and generation speed.")
    boolean bench;

    @Option(names = "--bench-prompt", defaultValue = "128", description = "Prompt tokens for the speed bench (default: ${DEFAULT-VALUE}).")
    int benchPrompt;

    @Option(names = "--bench-gen", defaultValue = "32", description = "Generated tokens for the speed bench (default: ${DEFAULT-VALUE}).")
    int benchGen;

    @Option(names = {"-t", "--threads"}, description = "Worker threads (default: available processors).")
    Integer threads;

    @Option(names = "--json", description = "Also print the comparison as JSON on stdout.")
    boolean json;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        if (topK < 1 || batch < 1 || chunks < 0 || limit < 0 || benchPrompt < 1 || benchGen < 1) {
            throw new LlmoptException("--kl-top-k, -b, --bench-prompt and --bench-gen must be positive; --chunks and --limit >= 0");
        }
        List<McItem> items = null;
        if (task != null) {
            McFormat f;
            try {
                f = format == null ? null : McFormat.parse(format);
            } catch (IllegalArgumentException e) {
                throw new LlmoptException(e.getMessage());
            }
            items = McTaskReader.read(task, f, limit);
        }
        try {
            Files.createDirectories(output);
        } catch (java.io.IOException e) {
            throw new LlmoptException(output + ": cannot create the report directory: " + e.getMessage(), e);
        }
        String content = TextFiles.read(text);
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        WorkerPool pool = new WorkerPool(threadCount);
        Comparison comparison;
        ProgressBar[] current = new ProgressBar[1];
        try {
            ComparisonRunner.Options options = new ComparisonRunner.Options(ctx != null ? ctx : 0, batch, chunks, topK,
                    task == null ? null : task.getFileName().toString(), items, bench, benchPrompt, benchGen);
            comparison = ComparisonRunner.run(models, text.getFileName().toString(), content, options, pool, output, label -> {
                if (current[0] != null) {
                    current[0].finish();
                }
                System.err.println(label);
                if (label.endsWith("bench")) {
                    current[0] = null;
                    return ProgressListener.NONE;
                }
                current[0] = new ProgressBar(System.err, label.endsWith("task") ? "items" : "chunks");
                return current[0];
            });
        } finally {
            pool.shutdown();
        }
        if (current[0] != null) {
            current[0].finish();
        }
        List<Path> files = ReportWriter.write(comparison, output);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(EvalJson.write(comparison));
        } else {
            out.print(readMarkdown(output.resolve("report.md")));
            out.println();
            out.println("wrote " + String.join(", ", files.stream().map(Path::toString).toList()));
        }
        out.flush();
        return 0;
    }

    private static String readMarkdown(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new LlmoptException(p + ": cannot read back: " + e.getMessage(), e);
        }
    }
}
