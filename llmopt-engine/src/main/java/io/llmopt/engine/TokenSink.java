package io.llmopt.engine;

/** Receives one request's output on the engine thread; implementations must return quickly and never block. */
public interface TokenSink {

    /** One generated token and the text it completes (may be empty while a UTF-8 sequence or a possible stop string is pending). */
    void onToken(GeneratedToken token);

    /** The request ended normally, by length, by a stop, or by cancellation. Called once. */
    void onFinish(Completion completion);

    /** The request failed (engine error, shutdown). Called once, instead of onFinish. */
    void onError(Throwable error);
}
