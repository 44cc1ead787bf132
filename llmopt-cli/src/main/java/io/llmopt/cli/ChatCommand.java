package io.llmopt.cli;

import io.llmopt.model.ForwardState;
import io.llmopt.model.ModelWarmUp;
import io.llmopt.model.generate.GenerationRequest;
import io.llmopt.model.generate.GenerationResult;
import io.llmopt.model.generate.Generator;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.ChatMessage;
import io.llmopt.tokenizer.ChatTemplate;
import io.llmopt.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code llmopt chat}: an interactive conversation rendered with the model's chat template. The KV cache is
 * kept between turns: each turn only computes the tokens after the longest prefix already in the cache.
 */
@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Chat with the model using its chat template (type /exit or Ctrl-D to quit, /reset to start over).")
final class ChatCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--system", paramLabel = "TEXT", description = "system prompt")
    String system;

    @Option(names = "--chat-template", paramLabel = "FILE", description = "a Jinja chat template file to use instead of the model's")
    Path templateFile;

    @Option(names = {"-n", "--n-predict"}, paramLabel = "N", description = "maximum tokens per reply (default: ${DEFAULT-VALUE})")
    int maxTokens = 512;

    @Mixin
    SamplingOptions sampling;

    @Option(names = "--warmup", paramLabel = "MODE", description = "auto, on or off: warm the kernels up while you type the first "
            + "message, with a throwaway run of " + WARM_PROMPT + " prompt tokens and " + WARM_STEPS + " decode steps, so that the first reply "
            + "is as fast as the next ones; auto does it when the input is a terminal, not for piped input (default: ${DEFAULT-VALUE})")
    String warmup = "auto";

    /** Prompt tokens and decode steps of the warm-up. */
    static final int WARM_PROMPT = 16, WARM_STEPS = 16;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        warmUp(warmup); // a bad mode fails before the model loads
        try (ModelSession s = new ModelSession(modelOptions, spec.commandLine().getErr())) {
            Tokenizer tok = s.loaded.tokenizer();
            ChatTemplate template = template(s, tok);
            Generator generator = new Generator(s.model, tok);
            ModelWarmUp warmUp = warmUp(warmup) ? ModelWarmUp.start(s.model, WARM_PROMPT, WARM_STEPS) : null;
            try {
                converse(s, tok, template, generator, warmUp, out);
            } finally {
                if (warmUp != null) {
                    warmUp.cancel(); // before the session closes the model under it; returns at once if it finished
                }
            }
        }
        return 0;
    }

    private void converse(ModelSession s, Tokenizer tok, ChatTemplate template, Generator generator, ModelWarmUp warmUp, PrintWriter out)
            throws IOException {
        ForwardState state = s.model.newState(s.contextLength, 512);
        List<ChatMessage> messages = new ArrayList<>();
        if (system != null) {
            messages.add(new ChatMessage("system", system));
        }
        int[] cached = new int[0];
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (true) {
            out.print("> ");
            out.flush();
            String line = in.readLine();
            if (line == null || line.strip().equals("/exit")) {
                break;
            }
            if (line.strip().equals("/reset")) {
                messages.removeIf(m -> !m.role().equals("system"));
                cached = new int[0];
                continue;
            }
            if (warmUp != null) {
                warmUp.await(); // the model and its pool are the warm-up's until it is done
                warmUp = null;
            }
            messages.add(new ChatMessage("user", line));
            String rendered = template.render(messages, true);
            boolean hasBos = !template.bosToken().isEmpty() && rendered.startsWith(template.bosToken());
            int[] prompt = tok.encode(rendered, !hasBos, true);
            if (prompt.length + 1 >= s.contextLength) {
                throw new LlmoptException("the conversation (" + prompt.length + " tokens) no longer fits the context of "
                        + s.contextLength + " tokens; use /reset or a larger -c");
            }
            GenerationRequest request = new GenerationRequest(prompt, Math.min(maxTokens, s.contextLength - prompt.length - 1),
                    sampling.params(), List.of(), false);
            GenerationResult r = generator.generate(request, state, commonPrefix(cached, prompt), piece -> {
                out.print(piece);
                out.flush();
            });
            out.println();
            messages.add(new ChatMessage("assistant", r.text()));
            cached = concat(prompt, r.tokens(), r.cachedTokens());
        }
    }

    private ChatTemplate template(ModelSession s, Tokenizer tok) throws IOException {
        String bos = tok.bos().isPresent() ? tok.piece(tok.bos().getAsInt()) : "";
        String eos = tok.eos().isPresent() ? tok.piece(tok.eos().getAsInt()) : "";
        if (templateFile != null) {
            return new ChatTemplate(Files.readString(templateFile), bos, eos);
        }
        return s.loaded.chatTemplate().orElseThrow(() -> new LlmoptException(modelOptions.file.model()
                + ": the model has no chat template; give one with --chat-template FILE (or use `llmopt generate`)"));
    }

    /** Whether {@code mode} (auto, on, off) asks for a warm-up here. */
    static boolean warmUp(String mode) {
        return switch (mode) {
            case "on" -> true;
            case "off" -> false;
            case "auto" -> System.console() != null && System.console().isTerminal();
            default -> throw new LlmoptException("--warmup must be auto, on or off, got '" + mode + "'");
        };
    }

    static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int i = 0;
        while (i < n && a[i] == b[i]) {
            i++;
        }
        return i;
    }

    /** The first {@code count} tokens of prompt ++ generated: what the cache holds after a turn. */
    static int[] concat(int[] prompt, int[] generated, int count) {
        int[] all = new int[count];
        int p = Math.min(prompt.length, count);
        System.arraycopy(prompt, 0, all, 0, p);
        System.arraycopy(generated, 0, all, p, count - p);
        return all;
    }
}
