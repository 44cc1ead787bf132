package io.llmopt.cli.quantize;

import io.llmopt.cli.Json;
import io.llmopt.compress.imatrix.ImatrixComputation;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code llmopt imatrix -m MODEL -f CALIB.txt -o imatrix.dat}: llama-imatrix — runs the model over a
 * calibration text and writes per-column activation statistics of every weight in llama.cpp's imatrix.dat
 * format (usable by llama-quantize and {@code llmopt quantize --imatrix}).
 */
@Command(name = "imatrix", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compute an importance matrix (llama.cpp imatrix.dat) over a calibration text.")
public final class ImatrixCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "GGUF file, HF directory or llama2.c checkpoint")
    Path model;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "calibration text")
    Path text;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "output file (default: ${DEFAULT-VALUE})")
    Path output = Path.of("imatrix.dat");

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "tokens per chunk (default: ${DEFAULT-VALUE})")
    int contextSize = 512;

    @Option(names = "--chunks", paramLabel = "N", description = "use at most N chunks (default: all)")
    int chunks = -1;

    @Option(names = "--process-output", description = "also collect output.weight")
    boolean processOutput;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "threads (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", description = "print a JSON summary")
    boolean json;

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String calibration;
        try {
            calibration = Files.readString(text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LlmoptException(text + ": cannot read: " + e.getMessage(), e);
        }
        ImatrixComputation.Options options = new ImatrixComputation.Options(contextSize, chunks, processOutput, threads);
        ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), ProgressBar.terminal());
        ImatrixComputation.Result r;
        try (LoadedModel m = ModelLoader.load(model)) {
            r = ImatrixComputation.compute(m, calibration, text.toString(), options,
                    (c, n, ppl) -> bar.update((double) c / n, String.format(Locale.ROOT, "chunk %d/%d  ppl %.4f", c, n, ppl), c == n));
        } finally {
            bar.clear();
        }
        r.file().write(output);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("model", model.toString());
            j.put("text", text.toString());
            j.put("output", output.toString());
            j.put("ctx_size", contextSize);
            j.put("chunks", r.chunks());
            j.put("text_tokens", r.textTokens());
            j.put("entries", r.file().entries().size());
            j.put("perplexity", r.perplexity());
            j.put("seconds", r.seconds());
            out.println(Json.write(j));
        } else {
            out.printf(Locale.ROOT, "wrote %s: %d entries from %d chunks of %d tokens (%d tokens in the text), "
                    + "perplexity %.4f, %.1f s%n", output, r.file().entries().size(), r.chunks(), contextSize,
                    r.textTokens(), r.perplexity(), r.seconds());
        }
        out.flush();
        return 0;
    }
}
