package io.llmopt.cli;

import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code llmopt tokenize}: the token ids (and pieces) of a text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Print the token ids and pieces of a text under the model's tokenizer.")
final class TokenizeCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelFileOptions file;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "text to tokenize")
    String prompt;

    @Option(names = "--no-bos", description = "do not add BOS/EOS as the tokenizer's rules would")
    boolean noBos;

    @Option(names = "--special", description = "parse special-token text such as <s> as control tokens")
    boolean special;

    @Option(names = "--ids", description = "print only the ids, as a list")
    boolean idsOnly;

    @Option(names = "--json", description = "JSON output: ids and pieces")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel loaded = ModelLoader.load(file.model(), file.tokenizer)) {
            Tokenizer t = loaded.tokenizer();
            int[] ids = t.encode(prompt, !noBos, special);
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                pieces.add(t.piece(id));
            }
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("text", prompt);
                m.put("ids", ids);
                m.put("pieces", pieces);
                m.put("count", ids.length);
                out.println(Json.write(m));
            } else if (idsOnly) {
                out.println(java.util.Arrays.toString(ids));
            } else {
                for (int i = 0; i < ids.length; i++) {
                    out.printf("%6d -> '%s'%n", ids[i], pieces.get(i));
                }
            }
            out.flush();
        }
        return 0;
    }
}
