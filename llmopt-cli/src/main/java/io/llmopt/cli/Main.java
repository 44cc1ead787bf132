package io.llmopt.cli;

import io.llmopt.tensor.LlmoptException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code llmopt} command: the only place that calls System.exit. */
@Command(name = "llmopt", mixinStandardHelpOptions = true, version = "llmopt 0.1.0",
        description = "Run, compress, serve and measure Llama-family language models on the JVM.",
        subcommands = {InspectCommand.class, TokenizeCommand.class, GenerateCommand.class, ChatCommand.class,
            ConvertCommand.class, InitCommand.class, BenchCommand.class,
            io.llmopt.cli.eval.EvalCommand.class, io.llmopt.cli.eval.CompareCommand.class,
            io.llmopt.cli.quantize.QuantizeCommand.class, io.llmopt.cli.quantize.ImatrixCommand.class,
            io.llmopt.cli.train.TrainCommand.class, io.llmopt.cli.train.DistillCommand.class,
            io.llmopt.cli.serve.ServeCommand.class, io.llmopt.cli.serve.LoadtestCommand.class,
            io.llmopt.cli.tokenizer.TokenizerCommand.class, io.llmopt.cli.prune.PruneCommand.class,
            io.llmopt.cli.profile.ProfileDecodeCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean verbose = parseResult.originalArgs().contains("--verbose");
            if (ex instanceof LlmoptException && !verbose) {
                commandLine.getErr().println("error: " + ex.getMessage());
            } else {
                ex.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
