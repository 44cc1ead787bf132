package io.llmopt.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by every command that runs a model (llama.cpp spellings). */
public final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "GGUF file, Hugging Face model directory, or llama2.c .bin checkpoint")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "tokenizer to use instead of the model's own (tokenizer.json, tokenizer.model, llama2.c tokenizer.bin)")
    Path tokenizer;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "kernel threads (default: all cores, ${DEFAULT-VALUE})")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = {"-c", "--ctx-size"}, paramLabel = "N", description = "context size in tokens (default: the model's)")
    int contextSize;

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;
}
