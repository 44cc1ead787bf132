package io.llmopt.engine;

/**
 * How a request ended.
 *
 * @param reason               STOP (EOS or stop string), LENGTH (max tokens or context), CANCELLED
 * @param stopString           the stop string that matched, or null
 * @param trailingText         text held back until the end (emitted here, not in a token); may be empty
 * @param promptTokens         prompt length
 * @param completionTokens     tokens generated, counting an end-of-generation token that ended the request (that
 *                             token is not streamed to {@link TokenSink#onToken})
 * @param cachedPromptTokens   prompt tokens whose KV came from the prefix cache
 * @param queueNanos           time from submit to first scheduling
 * @param firstTokenNanos      time from submit to the first generated token (−1 when none)
 * @param totalNanos           time from submit to the end
 */
public record Completion(Reason reason, String stopString, String trailingText, int promptTokens,
        int completionTokens, int cachedPromptTokens, long queueNanos, long firstTokenNanos, long totalNanos) {

    public enum Reason {
        STOP, LENGTH, CANCELLED;

        /** OpenAI's finish_reason ("stop", "length"); cancelled requests report "stop". */
        public String apiName() {
            return this == LENGTH ? "length" : "stop";
        }
    }
}
