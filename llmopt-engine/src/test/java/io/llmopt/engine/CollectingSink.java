package io.llmopt.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Records what a request streamed; {@link #await()} returns once it finished or failed. */
final class CollectingSink implements TokenSink {
    final List<GeneratedToken> tokens = new ArrayList<>();
    final StringBuilder text = new StringBuilder();
    final CompletableFuture<Completion> done = new CompletableFuture<>();
    volatile Runnable afterToken;
    int finishCalls;

    @Override
    public synchronized void onToken(GeneratedToken token) {
        if (done.isDone()) {
            throw new AssertionError("token after the end");
        }
        tokens.add(token);
        text.append(token.text());
        Runnable r = afterToken;
        if (r != null) {
            r.run();
        }
    }

    @Override
    public synchronized void onFinish(Completion completion) {
        finishCalls++;
        text.append(completion.trailingText());
        done.complete(completion);
    }

    @Override
    public synchronized void onError(Throwable error) {
        finishCalls++;
        done.completeExceptionally(error);
    }

    Completion await() {
        return await(120);
    }

    Completion await(long seconds) {
        try {
            return done.get(seconds, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("request did not finish: " + e, e);
        }
    }

    synchronized int[] ids() {
        return tokens.stream().mapToInt(GeneratedToken::id).toArray();
    }

    synchronized String text() {
        return text.toString();
    }
}
