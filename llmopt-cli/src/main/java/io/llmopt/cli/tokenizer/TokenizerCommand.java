package io.llmopt.cli.tokenizer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code llmopt tokenizer}: parent of the tokenizer tools; prints its usage when called alone. */
@Command(name = "tokenizer", mixinStandardHelpOptions = true,
        description = "Tokenizer tools.", subcommands = {TokenizerTrainCommand.class})
public final class TokenizerCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
