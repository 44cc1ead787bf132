package io.llmopt.cli.prune;

import io.llmopt.cli.Json;
import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.compress.prune.ModelPruner;
import io.llmopt.compress.prune.PruneListener;
import io.llmopt.compress.prune.PruneMethod;
import io.llmopt.compress.prune.PruneOptions;
import io.llmopt.compress.prune.PruneReport;
import io.llmopt.compress.prune.PrunedModelWriter;
import io.llmopt.compress.prune.SparseGpt;
import io.llmopt.compress.prune.SparsityPattern;
import io.llmopt.compress.prune.structured.StructuredPruner;
import io.llmopt.compress.prune.structured.StructuredReport;
import io.llmopt.compress.prune.structured.StructuredTarget;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code llmopt prune}: unstructured (--method, --sparsity), N:M (--nm) or structured (--structured, --ratio)
 * pruning calibrated on random windows of a training text; writes a GGUF file atomically and prints a
 * per-matrix report (or --json). Progress goes to stderr.
 */
@Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Prune a model: magnitude, global-magnitude, Wanda or SparseGPT to a sparsity or N:M pattern, "
                + "or structured removal of attention heads, MLP neurons or whole layers (a smaller dense model)."})
public final class PruneCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "input model (GGUF, HF directory, llama2.c)")
    Path model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "output .gguf file (written atomically)")
    Path out;

    @Option(names = "--method", paramLabel = "M", description = "magnitude, global-magnitude, wanda or sparsegpt (default ${DEFAULT-VALUE})")
    String method = "wanda";

    @Option(names = "--sparsity", paramLabel = "S", description = "fraction of weights to remove, in [0, 1) (default ${DEFAULT-VALUE})")
    double sparsity = 0.5;

    @Option(names = "--nm", paramLabel = "N:M", description = "semi-structured: keep N of every M weights along the input (2:4, 4:8)")
    String nm;

    @Option(names = "--structured", paramLabel = "KIND", description = "heads, neurons or layers: remove whole structures")
    String structured;

    @Option(names = "--ratio", paramLabel = "R", description = "structured: fraction of heads / neurons / layers to remove (default ${DEFAULT-VALUE})")
    double ratio = 0.25;

    @Option(names = "--skip", paramLabel = "REGEX", description = "leave matrices whose GGUF name matches dense (repeatable)")
    List<String> skip = new ArrayList<>();

    @Option(names = "--calib", paramLabel = "FILE", description = "calibration text (default: the shared tinystories-train.txt)")
    Path calib;

    @Option(names = "--calib-samples", paramLabel = "N", description = "calibration windows (default ${DEFAULT-VALUE})")
    int calibSamples = 32;

    @Option(names = "--calib-seqlen", paramLabel = "L", description = "tokens per window (default ${DEFAULT-VALUE})")
    int calibSeqLen = 256;

    @Option(names = "--seed", description = "seed of the calibration windows (default ${DEFAULT-VALUE})")
    long seed = 0;

    @Option(names = "--block-size", description = "SparseGPT lazy block width (default ${DEFAULT-VALUE})")
    int blockSize = SparseGpt.DEFAULT_BLOCK;

    @Option(names = "--damp", description = "SparseGPT dampening, fraction of mean diag(H) (default ${DEFAULT-VALUE})")
    double damp = SparseGpt.DEFAULT_DAMP;

    @Option(names = "--type", paramLabel = "T", description = "output float type f32, f16 or bf16 (default: f32, or the input's f16/bf16)")
    String type;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "threads (default ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--json", description = "print a JSON report")
    boolean json;

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // validate everything before the (slow) load and calibration
        SparsityPattern pattern = nm != null ? SparsityPattern.parseNm(nm) : SparsityPattern.unstructured(sparsity);
        StructuredTarget target = structured == null ? null : StructuredTarget.parse(structured, ratio);
        PruneOptions options = target != null ? null
                : new PruneOptions(PruneMethod.parse(method), pattern, skip, blockSize, damp, threads);
        if (target != null && (!skip.isEmpty() || nm != null)) {
            throw new LlmoptException("--skip and --nm apply to unstructured pruning, not to --structured");
        }
        if (!out.getFileName().toString().endsWith(".gguf")) {
            throw new LlmoptException(out + ": output must be a .gguf file (then `llmopt convert` makes a Hugging Face directory)");
        }
        if (Files.exists(model) && Files.exists(out) && isSame(model, out)) {
            throw new LlmoptException(out + ": output must not be the input");
        }
        Path calibPath = CalibrationText.resolve(calib);
        long t0 = System.nanoTime();
        Runnable cleanup = io.llmopt.cli.quantize.TemporaryFiles.guard(out); // Ctrl-C: remove the writer's temporary file
        try (LoadedModel m = ModelLoader.load(model)) {
            GgmlType outType = type == null ? PrunedModelWriter.defaultType(m) : floatType(type);
            CalibrationSet set = CalibrationSet.sample(m.tokenizer(), CalibrationText.read(calibPath), calibPath.toString(),
                    calibSamples, calibSeqLen, seed);
            Progress progress = new Progress(err);
            Object report;
            if (target != null) {
                StructuredPruner.Result r = StructuredPruner.prune(m.config(), m.weights(), set, target, threads, progress::stage);
                progress.done();
                PrunedModelWriter.writeGguf(out, m, r.config(), r.weights(), outType);
                report = r.report();
                if (!json) {
                    printStructured(stdout, r.report());
                }
            } else {
                ModelPruner.Result r = ModelPruner.prune(m.config(), m.weights(), set, options, progress);
                progress.done();
                PrunedModelWriter.writeGguf(out, m, r.config(), r.weights(), outType);
                report = r.report();
                if (!json) {
                    printUnstructured(stdout, r.report());
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (json) {
                stdout.println(Json.write(PruneJson.of(model, out, calibPath, report, seconds, size(out))));
            } else {
                stdout.printf("wrote %s (%,d bytes, %s) in %.1f s%n", out, size(out), outType.name().toLowerCase(), seconds);
            }
            stdout.flush();
        } finally {
            cleanup.run();
        }
        return 0;
    }

    private static void printUnstructured(PrintWriter w, PruneReport r) {
        w.printf("%s %s, calibration %d × %d tokens%n", r.method(), r.pattern(), r.calibrationSamples(), r.calibrationSeqLen());
        w.printf("%-26s %12s %9s %11s%n", "matrix", "shape", "sparsity", "rel. error");
        for (PruneReport.MatrixReport m : r.matrices()) {
            w.printf("%-26s %12s %8.2f%% %11s%s%n", m.name(), m.rows() + "×" + m.cols(), 100 * m.sparsity(),
                    String.format("%.4f", m.relativeError()), m.skipped() ? "  (skipped)" : m.nmViolations() > 0 ? "  N:M VIOLATED" : "");
        }
        w.printf("overall sparsity of pruned matrices: %.2f%%  (%.1f s)%n", 100 * r.sparsity(), r.seconds());
    }

    private static void printStructured(PrintWriter w, StructuredReport r) {
        w.printf("structured %s, ratio %.2f: %s%n", r.kind(), r.ratio(), r.summary());
        for (StructuredReport.LayerEntry e : r.layers()) {
            w.printf("layer %2d  %s%n", e.layer(), e.detail());
        }
        w.printf("parameters %,d → %,d (%.1f%%)%n", r.parametersBefore(), r.parametersAfter(), 100.0 * r.parametersAfter() / r.parametersBefore());
    }

    static GgmlType floatType(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "f32" -> GgmlType.F32;
            case "f16" -> GgmlType.F16;
            case "bf16" -> GgmlType.BF16;
            default -> throw new LlmoptException("--type must be f32, f16 or bf16, got '" + name + "' (quantize afterwards with `llmopt quantize`)");
        };
    }

    private static boolean isSame(Path a, Path b) {
        try {
            return Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (java.io.IOException e) {
            throw new LlmoptException(p + ": cannot read size: " + e.getMessage(), e);
        }
    }

    /** Progress lines on stderr: one per layer stage. */
    private static final class Progress implements PruneListener {
        private final PrintWriter err;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void layerStarted(int layer, int layers, String stage) {
            stage(String.format("layer %d/%d %s", layer + 1, layers, stage));
        }

        void stage(String text) {
            err.println("prune: " + text);
            err.flush();
        }

        void done() {
            err.flush();
        }
    }
}
