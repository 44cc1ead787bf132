package io.llmopt.cli.eval;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code llmopt eval}: quality measurements. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Measure model quality: perplexity and KL divergence (llama.cpp's method), multiple-choice accuracy.",
        subcommands = {PplCommand.class, McCommand.class, MakeClozeCommand.class})
public final class EvalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
