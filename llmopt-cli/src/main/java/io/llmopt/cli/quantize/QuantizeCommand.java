package io.llmopt.cli.quantize;

import io.llmopt.cli.Json;
import io.llmopt.compress.bnb.BnbQuantizer;
import io.llmopt.compress.quantize.ModelQuantizer;
import io.llmopt.compress.quantize.QuantMix;
import io.llmopt.compress.quantize.QuantizeListener;
import io.llmopt.compress.quantize.QuantizeOptions;
import io.llmopt.compress.quantize.QuantizeReport;
import io.llmopt.compress.quantize.TensorTypeOverride;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code llmopt quantize IN OUT TYPE}: llama-quantize for any model llmopt loads. Prints one line per tensor
 * (type chosen, relative RMS error, fallbacks) and a summary, or with {@code --json} one JSON report; a progress
 * bar goes to stderr on a terminal.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Quantize a model (GGUF, HF directory, llama2.c .bin; F32/F16/BF16 weights) to a GGUF file with "
                + "llama.cpp's types and per-tensor mixes.",
            "TYPE: Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q2_K_S, Q3_K_S, Q3_K_M, Q3_K_L, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, "
                + "Q6_K, F16, BF16, F32 (Q3_K, Q4_K, Q5_K = the _M mixes) for a GGUF OUT; "
                + "NF4, FP4, INT8 (bitsandbytes) for a Hugging Face directory OUT."})
public final class QuantizeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "IN", description = "input model")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "output .gguf file (written atomically)")
    Path out;

    @Parameters(index = "2", paramLabel = "TYPE", description = "quantization type or mix")
    String type;

    @Option(names = "--imatrix", paramLabel = "FILE", description = "importance matrix (llama.cpp imatrix.dat) to weight the rounding")
    Path imatrix;

    @Option(names = "--pure", description = "no per-tensor mix: every quantized weight in TYPE's base type")
    boolean pure;

    @Option(names = {"--leave-output", "--leave-output-tensor"}, description = "keep output.weight in its input type")
    boolean leaveOutput;

    @Option(names = {"--output-type", "--output-tensor-type"}, paramLabel = "T", description = "type of output.weight")
    String outputType;

    @Option(names = "--token-embedding-type", paramLabel = "T", description = "type of token_embd.weight")
    String tokenEmbeddingType;

    @Option(names = "--tensor-type", paramLabel = "PATTERN=TYPE",
            description = "give tensors whose name matches the regular expression PATTERN this type (repeatable, first match wins)")
    List<String> tensorTypes = new ArrayList<>();

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "threads (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--double-quant", description = "NF4/FP4: store the block scales in 8 bits (bitsandbytes double quantization)")
    boolean doubleQuant;

    @Option(names = "--json", description = "print a JSON report instead of the per-tensor log")
    boolean json;

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        GgmlType bnb = bitsandbytesType(type);
        if (bnb == null && doubleQuant) {
            throw new LlmoptException("--double-quant applies to NF4 and FP4 only");
        }
        if (bnb != null && (imatrix != null || pure || leaveOutput || outputType != null || tokenEmbeddingType != null
                || !tensorTypes.isEmpty())) {
            throw new LlmoptException("--imatrix, --pure, --leave-output, --output-type, --token-embedding-type and "
                    + "--tensor-type apply to GGUF types, not to " + bnb);
        }
        QuantMix mix = bnb == null ? QuantMix.parse(type) : null;
        List<TensorTypeOverride> overrides = tensorTypes.stream().map(TensorTypeOverride::parse).toList();
        QuantizeOptions options = bnb != null ? null : new QuantizeOptions(mix, imatrix, pure, leaveOutput,
                outputType == null ? null : QuantizeOptions.tensorType(outputType, "--output-type"),
                tokenEmbeddingType == null ? null : QuantizeOptions.tensorType(tokenEmbeddingType, "--token-embedding-type"),
                overrides, threads);
        PrintWriter stdout = spec.commandLine().getOut();
        ProgressBar bar = new ProgressBar(spec.commandLine().getErr(), ProgressBar.terminal());
        QuantizeListener listener = new QuantizeListener() {
            private String current = "";

            @Override
            public void tensorStarted(int index, int count, String name, String t) {
                current = String.format("%d/%d %s", index + 1, count, name);
            }

            @Override
            public void progress(long done, long total) {
                bar.update(total == 0 ? 1 : (double) done / total, current, false);
            }

            @Override
            public void warning(String message) {
                bar.clear();
                spec.commandLine().getErr().println("warning: " + message);
            }

            @Override
            public void tensorFinished(int index, int count, QuantizeReport.TensorReport r) {
                if (json) {
                    return;
                }
                bar.clear();
                stdout.println(logLine(index, count, r));
                if (r.fallback() != null) {
                    stdout.println("      " + r.fallback());
                }
                stdout.flush();
            }
        };
        Runnable cleanup = TemporaryFiles.guard(out);
        QuantizeReport report;
        try {
            report = bnb != null
                    ? BnbQuantizer.quantize(in, out, new BnbQuantizer.Options(bnb, doubleQuant), listener)
                    : ModelQuantizer.quantize(in, out, options, listener);
        } finally {
            bar.clear();
            cleanup.run();
        }
        if (json) {
            stdout.println(Json.write(toJson(report)));
        } else {
            stdout.println(summary(report));
        }
        stdout.flush();
        return 0;
    }

    /** NF4, FP4 or INT8 (case-insensitive), else null. */
    static GgmlType bitsandbytesType(String name) {
        return switch (name.trim().toUpperCase(Locale.ROOT)) {
            case "NF4" -> GgmlType.NF4;
            case "FP4" -> GgmlType.FP4;
            case "INT8" -> GgmlType.INT8;
            default -> null;
        };
    }

    static String logLine(int index, int count, QuantizeReport.TensorReport r) {
        String width = Integer.toString(Integer.toString(count).length());
        String action = r.converted()
                ? String.format("%-6s -> %-6s rel.rms %.5f%s", r.sourceType(), r.type(), r.relativeRmsError(), r.importance() ? "  (imatrix)" : "")
                : String.format("%-6s    kept", r.type());
        return String.format("[%" + width + "d/%" + width + "d] %-32s %-14s %s", index + 1, count, r.name(),
                Arrays.toString(r.shape()), action);
    }

    static String summary(QuantizeReport r) {
        long converted = r.tensors().stream().filter(QuantizeReport.TensorReport::converted).count();
        return String.format(Locale.ROOT, "wrote %s: %s%s, %d tensors (%d quantized, %d fallbacks), "
                        + "%.2f MB -> %.2f MB, %.3f bits per weight, %.1f s on %d threads",
                r.output(), r.type(), r.fileType() < 0 ? "" : " (file type " + r.fileType() + ")", r.tensors().size(),
                converted, r.fallbackCount(),
                r.bytesBefore() / 1e6, r.bytesAfter() / 1e6, r.bitsPerWeight(), r.seconds(), r.threads());
    }

    static Map<String, Object> toJson(QuantizeReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("input", r.input());
        m.put("output", r.output());
        m.put("type", r.type());
        m.put("file_type", r.fileType() < 0 ? null : r.fileType());
        m.put("imatrix", r.imatrix());
        m.put("threads", r.threads());
        m.put("bytes_before", r.bytesBefore());
        m.put("bytes_after", r.bytesAfter());
        m.put("file_bytes", r.fileBytes());
        m.put("elements", r.elements());
        m.put("bits_per_weight", r.bitsPerWeight());
        m.put("fallbacks", r.fallbackCount());
        m.put("seconds", r.seconds());
        List<Map<String, Object>> tensors = new ArrayList<>();
        for (QuantizeReport.TensorReport t : r.tensors()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", t.name());
            e.put("shape", t.shape());
            e.put("source_type", t.sourceType());
            e.put("type", t.type());
            e.put("quantized", t.converted());
            e.put("bytes_before", t.bytesBefore());
            e.put("bytes_after", t.bytesAfter());
            e.put("relative_rms_error", t.relativeRmsError());
            e.put("imatrix", t.importance());
            e.put("fallback", t.fallback());
            tensors.add(e);
        }
        m.put("tensors", tensors);
        return m;
    }
}
