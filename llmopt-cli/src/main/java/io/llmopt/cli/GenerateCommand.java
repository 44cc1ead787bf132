package io.llmopt.cli;

import io.llmopt.model.generate.GenerationRequest;
import io.llmopt.model.generate.GenerationResult;
import io.llmopt.model.generate.Generator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code llmopt generate}: continue a prompt, streaming the text. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Continue a prompt with the model, streaming text to stdout (timings to stderr).")
final class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT", description = "the prompt (default: empty, i.e. just BOS)")
    String prompt = "";

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", description = "tokens to generate (default: ${DEFAULT-VALUE})")
    int tokens = 128;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--stop", paramLabel = "TEXT", description = "stop when this text is generated (repeatable)")
    List<String> stop = new ArrayList<>();

    @Option(names = "--ignore-eos", description = "keep generating after an end-of-generation token")
    boolean ignoreEos;

    @Option(names = "--special", description = "parse special-token text such as <s> in the prompt")
    boolean special;

    @Option(names = "--no-display-prompt", description = "do not echo the prompt before the continuation")
    boolean noDisplayPrompt;

    @Option(names = "--json", description = "print one JSON object (ids, text, timings) instead of streaming")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (ModelSession s = new ModelSession(modelOptions, spec.commandLine().getErr())) {
            int[] promptIds = s.loaded.tokenizer().encode(prompt, true, special);
            GenerationRequest request = new GenerationRequest(promptIds, tokens, sampling.params(), stop, ignoreEos);
            Generator generator = new Generator(s.model, s.loaded.tokenizer());
            if (!json && !noDisplayPrompt) {
                out.print(prompt);
                out.flush();
            }
            GenerationResult r = generator.generate(request, s.contextLength, piece -> {
                if (!json) {
                    out.print(piece);
                    out.flush();
                }
            });
            if (json) {
                out.println(Json.write(report(r)));
            } else {
                out.println();
                err.printf("prompt: %d tokens, %.1f tokens/s | generated: %d tokens, %.1f tokens/s | finish: %s | seed %d%n",
                        r.promptTokens().length, r.promptTokensPerSecond(), r.tokens().length, r.generationTokensPerSecond(),
                        r.finishReason().apiName(), r.seed());
            }
            out.flush();
        }
        return 0;
    }

    private Map<String, Object> report(GenerationResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", modelOptions.file.model().toString());
        m.put("prompt", prompt);
        m.put("prompt_tokens", r.promptTokens());
        m.put("tokens", r.tokens());
        m.put("text", r.text());
        m.put("finish_reason", r.finishReason().apiName());
        m.put("stop", r.stopString());
        m.put("seed", r.seed());
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("prompt_ms", r.promptNanos() / 1e6);
        t.put("prompt_tokens_per_second", r.promptTokensPerSecond());
        t.put("generation_ms", r.generationNanos() / 1e6);
        t.put("generation_tokens_per_second", r.generationTokensPerSecond());
        t.put("threads", modelOptions.threads);
        m.put("timings", t);
        return m;
    }
}
