package io.llmopt.cli.tokenizer;

import io.llmopt.cli.Main;
import picocli.CommandLine;

/** The CLI with {@code tokenizer} registered (until Main lists it), for tests and manual runs. */
public final class TokenizerCli {
    private TokenizerCli() {
    }

    public static CommandLine commandLine() {
        CommandLine cli = Main.commandLine();
        if (!cli.getSubcommands().containsKey("tokenizer")) {
            cli.addSubcommand(new TokenizerCommand());
        }
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
