package io.llmopt.cli;

import io.llmopt.model.SparseWeights;
import io.llmopt.model.loader.LoadedModel;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --sparse auto|off}: whether a loaded (pruned) model runs its sparse matrices in bitmap-sparse form. */
public final class SparseOptions {
    @Option(names = "--sparse", paramLabel = "MODE",
            description = "auto: run F32/F16 weight matrices that are sparse enough (pruned, bitmap form <= "
                    + SparseWeights.AUTO_MAX_RATIO + " of the dense bytes) with the sparse kernels: the outputs of the dense GGUF-layout kernels bit for bit, "
                    + "fewer bytes per token; off: dense kernels (default: ${DEFAULT-VALUE})")
    String sparse = "off";

    /** {@code model} with its sparse matrices repacked when asked; prints what was repacked on {@code err}. */
    public LoadedModel apply(LoadedModel model, PrintWriter err) {
        SparseWeights.Mode mode = SparseWeights.Mode.parse(sparse);
        if (mode == SparseWeights.Mode.OFF) {
            return model;
        }
        long t0 = System.nanoTime();
        SparseWeights.Result r = SparseWeights.apply(model.weights(), mode);
        err.printf("%s [%.1f s]%n", r.summary(), (System.nanoTime() - t0) / 1e9);
        for (String line : r.groups()) {
            err.println("  " + line);
        }
        err.flush();
        return model.withWeights(r.weights());
    }
}
