package io.llmopt.cli.eval;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.cli.SparseOptions;
import io.llmopt.eval.mc.McFormat;
import io.llmopt.eval.mc.McItem;
import io.llmopt.eval.mc.McResult;
import io.llmopt.eval.mc.McTaskReader;
import io.llmopt.eval.mc.MultipleChoice;
import io.llmopt.tensor.LlmoptException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmopt eval mc}: multiple-choice accuracy by log-likelihood, as lm-evaluation-harness. */
@Command(name = "mc", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Multiple-choice accuracy: each answer scored by log P(answer | context); acc, acc_norm (per character) "
                + "and acc_mutual_info, each with its standard error.",
            "Task file: JSONL, one item per line: {\"context\": ..., \"choices\": [...], \"gold\": i} or the native rows of "
                + "hellaswag, arc, mmlu, winogrande."})
public final class McCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "Model: GGUF file, Hugging Face directory or llama2.c .bin.")
    Path model;

    @Option(names = "--task", required = true, paramLabel = "FILE.jsonl", description = "Task items, one JSON object per line.")
    Path task;

    @Option(names = "--format", description = "generic, hellaswag, arc, mmlu or winogrande (default: detected per line from its fields).")
    String format;

    @Option(names = "--limit", defaultValue = "0", description = "Score only the first N items (0 = all).")
    int limit;

    @Option(names = {"-c", "--ctx"}, description = "Context length; longer requests lose context from the left (default: the model's, at most 4096).")
    Integer ctx;

    @Option(names = {"-b", "--batch"}, defaultValue = "512", description = "Tokens per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

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
        McFormat f;
        try {
            f = format == null ? null : McFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new LlmoptException(e.getMessage());
        }
        if (limit < 0) {
            throw new LlmoptException("--limit must be >= 0, got " + limit);
        }
        List<McItem> items = McTaskReader.read(task, f, limit);
        int threadCount = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        try (ModelRuntime runtime = ModelRuntime.open(model, threadCount, sparse, spec.commandLine().getErr())) {
            int context = ctx != null ? ctx : runtime.defaultContext();
            if (batch < 1 || context < 2) {
                throw new LlmoptException("-b and -c must be positive, got " + batch + " and " + context);
            }
            MultipleChoice mc = new MultipleChoice(runtime.model(), runtime.loaded().tokenizer(), context, batch);
            ProgressBar bar = new ProgressBar(System.err, "items");
            McResult result;
            try (OnInterrupt _ = new OnInterrupt(() -> {
                bar.finish();
                System.err.println("interrupted: partial result");
                print(runtime, mc.snapshot());
            })) {
                result = mc.run(task.getFileName().toString(), items, bar);
            }
            bar.finish();
            print(runtime, result);
        }
        return 0;
    }

    private void print(ModelRuntime runtime, McResult r) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode node = EvalJson.MAPPER.createObjectNode();
            node.put("model", model.toString());
            node.put("task_file", task.toString());
            node.setAll(EvalJson.tree(r));
            out.println(EvalJson.write(node));
        } else {
            out.printf("model %s, task %s: %d of %d items, %.1f s%n", runtime.name(), task, r.items(), r.itemsPlanned(), r.elapsedSeconds());
            out.printf("acc             %.4f ± %.4f%n", r.acc(), r.accStderr());
            out.printf("acc_norm        %.4f ± %.4f%n", r.accNorm(), r.accNormStderr());
            out.printf("acc_mutual_info %.4f ± %.4f%n", r.accMutualInfo(), r.accMutualInfoStderr());
            out.printf("chance          %.4f%s%n", r.chance(), r.complete() ? "" : "   (partial: interrupted)");
        }
        out.flush();
    }
}
