package io.llmopt.engine;

import io.llmopt.model.loader.LoadedModel;
import java.time.Duration;

/**
 * One served model: a background step loop that batches every admitted request into shared forward passes.
 * Thread-safe; {@link #submit} may be called from any thread (e.g. one virtual thread per HTTP request).
 */
public interface InferenceEngine extends AutoCloseable {

    /** The model this engine runs (config, tokenizer, chat template); the engine owns and closes it. */
    LoadedModel model();

    /** Positions a sequence may use (prompt + generated tokens ≤ this). */
    int contextLength();

    /**
     * Queues a request. The sink receives {@link TokenSink#onToken} calls in order, then exactly one of
     * {@link TokenSink#onFinish} or {@link TokenSink#onError} — also after {@link RequestHandle#cancel()}
     * (finish reason {@code CANCELLED}) and on shutdown. Sink callbacks run on the engine thread and must
     * not block.
     *
     * @throws EngineOverloadedException when the admission queue is full (the server answers 429)
     * @throws io.llmopt.tensor.LlmoptException when the request cannot fit (prompt + max tokens over the
     *         context, empty prompt, token id outside the vocabulary); the message names the limit
     */
    RequestHandle submit(EngineRequest request, TokenSink sink);

    /** A consistent snapshot for metrics and /health. */
    EngineStats stats();

    /**
     * Stops admitting, lets running requests finish for up to {@code grace}, then cancels the rest and stops
     * the step loop. Idempotent.
     */
    void shutdown(Duration grace);

    @Override
    default void close() {
        shutdown(Duration.ZERO);
    }
}
