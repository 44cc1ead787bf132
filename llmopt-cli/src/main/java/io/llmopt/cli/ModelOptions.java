package io.llmopt.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by every command that runs a model (llama.cpp spellings). */
public final class ModelOptions {
    @Mixin
    ModelFileOptions file = new ModelFileOptions();

    @Mixin
    SparseOptions sparse = new SparseOptions();

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "kernel threads (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "context size in tokens (default: the model's)")
    int contextSize;
}
