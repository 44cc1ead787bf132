package io.llmopt.cli.train;

import io.llmopt.cli.Main;
import picocli.CommandLine;

/**
 * The CLI with {@code train} and {@code distill} registered (as Main will register them), for tests and for
 * running by hand before the registration lands in Main.
 */
public final class TrainCli {
    private TrainCli() {
    }

    public static CommandLine commandLine() {
        CommandLine cli = Main.commandLine();
        cli.addSubcommand("train", new TrainCommand());
        cli.addSubcommand("distill", new DistillCommand());
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
