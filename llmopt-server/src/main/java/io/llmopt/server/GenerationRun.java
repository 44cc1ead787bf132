package io.llmopt.server;

import io.llmopt.engine.Completion;
import io.llmopt.engine.EngineOverloadedException;
import io.llmopt.engine.EngineRequest;
import io.llmopt.engine.GeneratedToken;
import io.llmopt.engine.InferenceEngine;
import io.llmopt.engine.RequestHandle;
import io.llmopt.engine.TokenSink;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The engine requests behind one HTTP request (one per choice) and the hand-off of their output to the
 * request's own (virtual) thread. Sinks run on the engine thread and only append to an unbounded queue, so the
 * engine never waits for a slow client; {@link #drain} consumes the queue on the request thread.
 *
 * <p>Cancellation: a listener that throws IOException (client gone, seen by a write or by the periodic probe of
 * the connection), the request timeout and server shutdown
 * all cancel every engine request of the run; the engine then answers each with onFinish(CANCELLED), which
 * releases its KV blocks.
 */
final class GenerationRun {
    /** What the request thread receives, in engine order per choice. */
    sealed interface Event permits TokenEvent, FinishEvent, ErrorEvent {
        int choice();
    }

    record TokenEvent(int choice, GeneratedToken token, long nanos) implements Event {}

    record FinishEvent(int choice, Completion completion, long nanos) implements Event {}

    record ErrorEvent(int choice, Throwable error) implements Event {}

    /** Receives a run's output on the request thread. */
    interface Listener {
        void onToken(int choice, GeneratedToken token, long nanos) throws IOException;

        /** @param timedOut the request timeout cut the choice short */
        void onFinish(int choice, Completion completion, boolean timedOut, long nanos) throws IOException;

        /** Called after {@code idleNanos} without output (e.g. to send an SSE comment that detects a closed client). */
        default void onIdle() throws IOException {
        }

        /** Called every {@link #PROBE_NANOS} whatever the output: throws when the client is known to have gone. */
        default void onProbe() throws IOException {
        }
    }

    /** How often {@link Listener#onProbe} runs (a disconnect is noticed within about this time). */
    static final long PROBE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final InferenceEngine engine;
    private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<RequestHandle> handles = new ArrayList<>();
    private final int choices;
    private volatile boolean cancelled;

    private GenerationRun(InferenceEngine engine, int choices) {
        this.engine = engine;
        this.choices = choices;
    }

    /**
     * Submits every request; if one is refused, the ones already submitted are cancelled and the refusal
     * becomes a 429 (queue full) or 400 (does not fit).
     */
    static GenerationRun submit(InferenceEngine engine, List<EngineRequest> requests) {
        GenerationRun run = new GenerationRun(engine, requests.size());
        for (int i = 0; i < requests.size(); i++) {
            try {
                run.handles.add(engine.submit(requests.get(i), run.sink(i)));
            } catch (EngineOverloadedException e) {
                run.cancel();
                throw new ApiException(429, "server_overloaded", null, "queue_full", e.getMessage(),
                        Math.max(1, e.retryAfterSeconds()));
            } catch (LlmoptException e) {
                run.cancel();
                throw ApiException.badRequest(null, e.getMessage());
            }
        }
        return run;
    }

    private TokenSink sink(int choice) {
        return new TokenSink() {
            @Override
            public void onToken(GeneratedToken token) {
                events.add(new TokenEvent(choice, token, System.nanoTime()));
            }

            @Override
            public void onFinish(Completion completion) {
                events.add(new FinishEvent(choice, completion, System.nanoTime()));
            }

            @Override
            public void onError(Throwable error) {
                events.add(new ErrorEvent(choice, error));
            }
        };
    }

    void cancel() {
        cancelled = true;
        for (RequestHandle h : handles) {
            h.cancel();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    /**
     * Delivers events until every choice has finished. {@code deadlineNanos} (System.nanoTime based, or
     * Long.MAX_VALUE) cancels the run when passed; a listener IOException cancels it and is rethrown after
     * the engine has acknowledged (bounded wait).
     *
     * @throws EngineFailure when the engine reports an error for a choice
     */
    void drain(Listener listener, long deadlineNanos, long idleNanos) throws IOException {
        boolean[] finished = new boolean[choices];
        int open = choices;
        boolean timedOut = false;
        IOException clientGone = null;
        long lastEvent = System.nanoTime();
        long nextProbe = lastEvent + PROBE_NANOS;
        while (open > 0) {
            long now = System.nanoTime();
            if (clientGone == null && now - nextProbe >= 0) {
                nextProbe = now + PROBE_NANOS;
                try {
                    listener.onProbe();
                } catch (IOException io) {
                    clientGone = io;
                    lastEvent = now;
                    cancel();
                }
            }
            long wait = Math.min(idleNanos, TimeUnit.MILLISECONDS.toNanos(250));
            if (clientGone == null) {
                wait = Math.min(wait, Math.max(1, nextProbe - now));
            }
            if (!timedOut && deadlineNanos != Long.MAX_VALUE) {
                if (now - deadlineNanos >= 0) {
                    timedOut = true;
                    cancel();
                } else {
                    wait = Math.min(wait, deadlineNanos - now);
                }
            }
            Event e;
            try {
                e = events.poll(Math.max(wait, 1), TimeUnit.NANOSECONDS);
            } catch (InterruptedException ie) {
                cancel();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while generating", ie);
            }
            if (e == null) {
                if (clientGone == null && System.nanoTime() - lastEvent >= idleNanos) {
                    lastEvent = System.nanoTime();
                    try {
                        listener.onIdle();
                    } catch (IOException io) {
                        clientGone = io;
                        cancel();
                    }
                }
                if (clientGone != null && System.nanoTime() - lastEvent > TimeUnit.SECONDS.toNanos(10)) {
                    break; // the engine did not acknowledge the cancel in time; stop waiting for it
                }
                continue;
            }
            lastEvent = System.nanoTime();
            try {
                switch (e) {
                    case TokenEvent t -> {
                        if (clientGone == null) {
                            listener.onToken(t.choice(), t.token(), t.nanos());
                        }
                    }
                    case FinishEvent f -> {
                        if (!finished[f.choice()]) {
                            finished[f.choice()] = true;
                            open--;
                            if (clientGone == null) {
                                listener.onFinish(f.choice(), f.completion(), timedOut, f.nanos());
                            }
                        }
                    }
                    case ErrorEvent err -> {
                        if (!finished[err.choice()]) {
                            finished[err.choice()] = true;
                            open--;
                            if (clientGone == null) {
                                cancel();
                                throw new EngineFailure(err.error());
                            }
                        }
                    }
                }
            } catch (IOException io) {
                clientGone = io;
                cancel();
            }
        }
        if (clientGone != null) {
            throw clientGone;
        }
    }

    /** The engine failed a request (not the client's fault): the handler answers 500 or ends the stream. */
    static final class EngineFailure extends RuntimeException {
        EngineFailure(Throwable cause) {
            super("the engine failed: " + cause.getMessage(), cause);
        }
    }
}
