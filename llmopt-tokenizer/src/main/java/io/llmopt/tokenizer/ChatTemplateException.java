package io.llmopt.tokenizer;

import io.llmopt.tensor.LlmoptException;

/**
 * A chat template that cannot be parsed or rendered, or that called {@code raise_exception(…)}; the message names the
 * template line where Jinjava reports one.
 */
public final class ChatTemplateException extends LlmoptException {
    public ChatTemplateException(String message) {
        super(message);
    }
}
