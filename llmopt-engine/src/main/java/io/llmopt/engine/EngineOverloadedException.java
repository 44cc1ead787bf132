package io.llmopt.engine;

import io.llmopt.tensor.LlmoptException;

/** The admission queue is full; retry after {@link #retryAfterSeconds()}. */
public final class EngineOverloadedException extends LlmoptException {
    private final int retryAfterSeconds;

    public EngineOverloadedException(String message, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
