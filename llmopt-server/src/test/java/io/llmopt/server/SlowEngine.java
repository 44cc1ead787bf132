package io.llmopt.server;

import io.llmopt.engine.Completion;
import io.llmopt.engine.EngineRequest;
import io.llmopt.engine.EngineStats;
import io.llmopt.engine.GeneratedToken;
import io.llmopt.engine.InferenceEngine;
import io.llmopt.engine.RequestHandle;
import io.llmopt.engine.TokenSink;
import io.llmopt.model.loader.LoadedModel;
import java.time.Duration;

/**
 * TEST DECORATOR: makes any engine slow by sleeping in its sink on every token (i.e. on the engine thread, as a
 * large model would take per step), so that tests can disconnect mid-stream or fill the queue on a tiny model.
 */
final class SlowEngine implements InferenceEngine {
    private final InferenceEngine inner;
    private final long sleepMillis;

    SlowEngine(InferenceEngine inner, Duration perToken) {
        this.inner = inner;
        this.sleepMillis = perToken.toMillis();
    }

    @Override
    public LoadedModel model() {
        return inner.model();
    }

    @Override
    public int contextLength() {
        return inner.contextLength();
    }

    @Override
    public RequestHandle submit(EngineRequest request, TokenSink sink) {
        return inner.submit(request, new TokenSink() {
            @Override
            public void onToken(GeneratedToken token) {
                sink.onToken(token);
                try {
                    Thread.sleep(sleepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onFinish(Completion completion) {
                sink.onFinish(completion);
            }

            @Override
            public void onError(Throwable error) {
                sink.onError(error);
            }
        });
    }

    @Override
    public EngineStats stats() {
        return inner.stats();
    }

    @Override
    public void shutdown(Duration grace) {
        inner.shutdown(grace);
    }
}
