package io.llmopt.server.loadtest;

/**
 * One request of a load test (times in nanoseconds from its start).
 *
 * @param error         null when it succeeded, else a one-line reason
 * @param ttftNanos     time to the first chunk that carried text (−1 when none)
 * @param gapsNanos     the gaps between consecutive text chunks (inter-token latencies)
 * @param outputTokens  completion tokens (from usage when the server sends it, else the chunks counted)
 */
record RequestResult(String error, int promptTokens, int outputTokens, long ttftNanos, long e2eNanos, long[] gapsNanos) {

    static RequestResult failed(String error, long e2eNanos) {
        return new RequestResult(error, 0, 0, -1, e2eNanos, new long[0]);
    }

    boolean ok() {
        return error == null;
    }
}
