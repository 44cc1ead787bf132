package io.llmopt.server;

import io.llmopt.engine.InferenceEngine;
import io.llmopt.tokenizer.ChatTemplate;
import io.llmopt.tokenizer.Tokenizer;
import java.util.Objects;
import java.util.Optional;

/**
 * One model the server offers under {@code name}: its engine and the chat template used for
 * /v1/chat/completions (the model's own unless overridden; empty ⇒ chat requests get 400).
 */
public record ServedModel(String name, InferenceEngine engine, Optional<ChatTemplate> chatTemplate, TokenText tokenText) {

    public ServedModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(chatTemplate, "chatTemplate");
    }

    /** Serves the engine's model under {@code name} with the model's own chat template. */
    public static ServedModel of(String name, InferenceEngine engine) {
        return new ServedModel(name, engine, engine.model().chatTemplate(), new TokenText(engine.model().tokenizer()));
    }

    /** The same model with another chat template. */
    public ServedModel withChatTemplate(ChatTemplate template) {
        return new ServedModel(name, engine, Optional.of(template), tokenText);
    }

    public Tokenizer tokenizer() {
        return engine.model().tokenizer();
    }

    public int contextLength() {
        return engine.contextLength();
    }
}
