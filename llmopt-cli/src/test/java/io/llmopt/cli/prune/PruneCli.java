package io.llmopt.cli.prune;

import io.llmopt.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code llmopt prune} in-process (as registered in Main). */
record PruneCli(int exitCode, String out, String err) {

    static PruneCli run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "prune";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cli.execute(all);
        return new PruneCli(code, out.toString(), err.toString());
    }
}
