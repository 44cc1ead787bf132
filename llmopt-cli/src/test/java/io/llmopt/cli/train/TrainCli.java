package io.llmopt.cli.train;

import io.llmopt.cli.Main;
import picocli.CommandLine;

/** The CLI (Main registers {@code train} and {@code distill}), for the train command tests. */
public final class TrainCli {
    private TrainCli() {
    }

    public static CommandLine commandLine() {
        return Main.commandLine();
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
