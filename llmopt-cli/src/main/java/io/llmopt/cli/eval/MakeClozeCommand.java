package io.llmopt.cli.eval;

import io.llmopt.eval.mc.ClozeItem;
import io.llmopt.eval.mc.ClozeMaker;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmopt eval make-cloze}: a "which sentence comes next" task from any text, for {@code eval mc}. */
@Command(name = "make-cloze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Build a continuation-choice task from any text: passages of N sentences from one document, the true "
                + "next sentence among distractors that are the next sentences of other passages. Documents are separated "
                + "by blank lines or <|endoftext|>. Writes JSONL for `llmopt eval mc`."})
public final class MakeClozeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, description = "UTF-8 text.")
    Path text;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "TASK.jsonl", description = "Where to write the task.")
    Path output;

    @Option(names = "--items", defaultValue = "500", description = "Items to make (default: ${DEFAULT-VALUE}; one per document at most).")
    int items;

    @Option(names = "--choices", defaultValue = "4", description = "Answers per item, the true one included (default: ${DEFAULT-VALUE}).")
    int choices;

    @Option(names = "--sentences", defaultValue = "3", description = "Sentences of context per passage (default: ${DEFAULT-VALUE}).")
    int sentences;

    @Option(names = "--seed", defaultValue = "1234", description = "Random seed (default: ${DEFAULT-VALUE}); same text + options + seed = same task.")
    long seed;

    @Option(names = "--verbose", description = "Stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() {
        List<ClozeItem> made = ClozeMaker.make(TextFiles.read(text), new ClozeMaker.Options(items, choices, sentences, seed));
        ClozeMaker.write(made, output);
        spec.commandLine().getOut().printf("wrote %d items with %d choices each to %s (chance accuracy %.3f)%n", made.size(), choices,
                output, 1.0 / choices);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
