package io.llmopt.tokenizer.jinja;

import io.llmopt.tensor.LlmoptException;

/** A template that cannot be parsed or rendered; the message names the template line. */
public final class JinjaException extends LlmoptException {
    public JinjaException(String message) {
        super(message);
    }
}
