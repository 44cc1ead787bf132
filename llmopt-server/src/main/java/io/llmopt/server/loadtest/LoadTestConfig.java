package io.llmopt.server.loadtest;

import io.llmopt.tensor.LlmoptException;
import java.net.URI;
import java.time.Duration;

/**
 * One load test: {@code requests} streaming requests from {@code concurrency} clients at once.
 *
 * @param url          the server's base URL (e.g. http://127.0.0.1:8080)
 * @param promptLength synthetic prompt length in tokens (exact where the server has /tokenize, else ≈ words)
 * @param maxTokens    tokens per request; sent with ignore_eos so every request generates all of them
 * @param chat         /v1/chat/completions instead of /v1/completions
 * @param apiKey       Bearer key or null
 * @param seed         seed of the synthetic prompts
 */
public record LoadTestConfig(URI url, String model, int concurrency, int requests, int promptLength, int maxTokens,
        boolean chat, String apiKey, long seed, Duration requestTimeout) {

    public LoadTestConfig {
        if (url == null || url.getScheme() == null || !url.getScheme().startsWith("http")) {
            throw new LlmoptException("--url must be an http(s) URL such as http://127.0.0.1:8080, got " + url);
        }
        if (model == null || model.isBlank()) {
            throw new LlmoptException("--model must name a served model");
        }
        positive("--concurrency", concurrency);
        positive("--requests", requests);
        positive("--prompt-len", promptLength);
        positive("--max-tokens", maxTokens);
        if (requestTimeout == null || !requestTimeout.isPositive()) {
            throw new LlmoptException("the request timeout must be positive");
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new LlmoptException(name + " must be positive, got " + value);
        }
    }
}
