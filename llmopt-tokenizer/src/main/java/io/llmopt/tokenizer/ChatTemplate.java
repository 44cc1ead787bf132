package io.llmopt.tokenizer;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's Jinja {@code chat_template}, rendered as HF transformers' {@code apply_chat_template(tokenize=False)}
 * does: variables {@code messages} (role/content dicts), {@code add_generation_prompt}, {@code bos_token},
 * {@code eos_token}; environment with trim_blocks, lstrip_blocks, loop controls, {@code raise_exception},
 * {@code tojson}, {@code strftime_now}. Rendered by Jinjava (com.hubspot.jinjava) through the compatibility layer of
 * {@link ChatTemplateEngine} and {@link ChatTemplateRewrites}; the known differences from Python jinja2 are listed in
 * ChatTemplateJinja2RendersTest and ChatTemplateCompatibilityTest.
 *
 * <p>The template is checked here (syntax, filter and test names); a bad template, a failing render and a
 * {@code raise_exception} call throw {@link ChatTemplateException}. Immutable and thread-safe.
 */
public final class ChatTemplate {
    private final ChatTemplateEngine engine;
    private final String rewritten;
    private final String source;
    private final String bosToken;
    private final String eosToken;

    public ChatTemplate(String template, String bosToken, String eosToken) {
        this(template, bosToken, eosToken, ChatTemplateEngine.system());
    }

    ChatTemplate(String template, String bosToken, String eosToken, ChatTemplateEngine engine) {
        this.engine = engine;
        this.source = template;
        this.rewritten = ChatTemplateRewrites.apply(template);
        engine.check(rewritten);
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
    }

    /** The {@code chat_template} of an HF tokenizer_config.json with its bos/eos tokens; empty if it has none. */
    public static Optional<ChatTemplate> fromTokenizerConfig(Path tokenizerConfigJson) {
        TokenizerConfig config = TokenizerConfig.read(tokenizerConfigJson);
        if (config.chatTemplate() == null) {
            return Optional.empty();
        }
        return Optional.of(new ChatTemplate(config.chatTemplate(), config.bosToken(), config.eosToken()));
    }

    /** The template text. */
    public String source() {
        return source;
    }

    public String bosToken() {
        return bosToken;
    }

    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * As {@link #render(List, boolean)} with extra template variables (e.g. {@code tools}, {@code enable_thinking},
     * {@code date_string}); values are Strings, Booleans, numbers, Lists and Maps.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, ?> extraVariables) {
        List<Map<String, Object>> msgs = new ArrayList<>();
        for (ChatMessage m : messages) {
            Map<String, Object> dict = new LinkedHashMap<>();
            dict.put("role", m.role());
            dict.put("content", m.content());
            msgs.add(dict);
        }
        Map<String, Object> variables = new HashMap<>(extraVariables);
        variables.put("messages", msgs);
        variables.put("add_generation_prompt", addGenerationPrompt);
        variables.putIfAbsent("bos_token", bosToken);
        variables.putIfAbsent("eos_token", eosToken);
        return engine.render(rewritten, variables);
    }
}
