package io.llmopt.engine;

/** A submitted request. */
public interface RequestHandle {

    /** Engine-assigned id, unique for the engine's lifetime. */
    long id();

    /**
     * Cancels the request (e.g. the client disconnected): it leaves the batch at the next step, its KV blocks
     * go back to the pool, and the sink gets onFinish with CANCELLED unless it already finished. Idempotent.
     */
    void cancel();
}
