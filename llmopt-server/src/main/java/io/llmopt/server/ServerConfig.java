package io.llmopt.server;

import io.llmopt.tensor.LlmoptException;
import java.time.Duration;

/**
 * How the HTTP side behaves (the {@code serve} flags that are not engine sizing).
 *
 * @param host            interface to bind (e.g. 127.0.0.1; 0.0.0.0 for all)
 * @param port            TCP port; 0 picks a free one (see {@link OpenAiServer#port()})
 * @param apiKey          the key clients must send as {@code Authorization: Bearer KEY}, or null for none
 * @param requestTimeout  a generation running longer is cancelled and answered with what it has
 *                        (finish_reason "length"); zero or negative = no limit
 * @param maxBodyBytes    larger request bodies get 413
 * @param shutdownGrace   on stop, in-flight requests may finish for this long before they are cancelled
 */
public record ServerConfig(String host, int port, String apiKey, Duration requestTimeout, int maxBodyBytes,
        Duration shutdownGrace) {

    public static final int DEFAULT_MAX_BODY_BYTES = 8 << 20;

    public ServerConfig {
        if (host == null || host.isBlank()) {
            throw new LlmoptException("--host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new LlmoptException("--port must be in [0, 65535], got " + port);
        }
        if (apiKey != null && apiKey.isEmpty()) {
            throw new LlmoptException("--api-key must not be empty");
        }
        if (requestTimeout == null) {
            requestTimeout = Duration.ZERO;
        }
        if (maxBodyBytes < 1024) {
            throw new LlmoptException("the maximum request body must be at least 1024 bytes, got " + maxBodyBytes);
        }
        if (shutdownGrace == null || shutdownGrace.isNegative()) {
            throw new LlmoptException("the shutdown grace period must be >= 0");
        }
    }

    /** Loopback, a free port, no key, no timeout, 8 MiB bodies, 5 s grace: for tests and embedding. */
    public static ServerConfig local() {
        return new ServerConfig("127.0.0.1", 0, null, Duration.ZERO, DEFAULT_MAX_BODY_BYTES, Duration.ofSeconds(5));
    }

    public ServerConfig withApiKey(String key) {
        return new ServerConfig(host, port, key, requestTimeout, maxBodyBytes, shutdownGrace);
    }

    public ServerConfig withRequestTimeout(Duration timeout) {
        return new ServerConfig(host, port, apiKey, timeout, maxBodyBytes, shutdownGrace);
    }

    public ServerConfig withMaxBodyBytes(int bytes) {
        return new ServerConfig(host, port, apiKey, requestTimeout, bytes, shutdownGrace);
    }

    public boolean hasTimeout() {
        return requestTimeout.isPositive();
    }
}
