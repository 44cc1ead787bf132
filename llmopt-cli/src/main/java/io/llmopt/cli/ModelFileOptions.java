package io.llmopt.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which model (and optionally which tokenizer) a command opens; shared by every model command. */
public final class ModelFileOptions {
    @Option(names = {"-m", "--model"}, paramLabel = "MODEL",
            description = "GGUF file, Hugging Face model directory, or llama2.c .bin checkpoint (default: the built-in demo model, "
                    + DemoModel.RELATIVE_PATH + ")")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "FILE",
            description = "tokenizer to use instead of the model's own (tokenizer.json, tokenizer.model, llama2.c tokenizer.bin, GGUF vocab)")
    Path tokenizer;

    /** The model to open: {@code -m}, else the built-in demo model ({@link DemoModel}). */
    public Path model() {
        return model != null ? model : DemoModel.path();
    }

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;
}
