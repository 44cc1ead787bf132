package io.llmopt.server;

/**
 * A request that gets an OpenAI-shaped error answer: {@code {"error": {"message", "type", "param", "code"}}}
 * with the given HTTP status. Thrown anywhere below the handler; never for a server bug (those become 500).
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final int retryAfterSeconds;

    public ApiException(int status, String type, String param, String code, String message, int retryAfterSeconds) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 400 invalid_request_error about one request field ({@code param} may be null). */
    public static ApiException badRequest(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, null, message, -1);
    }

    public static ApiException notFound(String param, String code, String message) {
        return new ApiException(404, "invalid_request_error", param, code, message, -1);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }

    /** Seconds for a Retry-After header, or −1 for none. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
