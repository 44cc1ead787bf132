package io.llmopt.engine;

import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.LlmoptException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a few short greedy requests through an engine before it takes real traffic, so that the JIT has
 * compiled the prefill (GEMM), batched-decode and single-decode kernels and the first client does not pay for
 * it (several seconds on a 1B model). Concurrent requests exercise the batched paths as well as batch 1.
 */
public final class EngineWarmUp {
    private EngineWarmUp() {
    }

    /**
     * Submits {@code requests} requests of {@code promptTokens} prompt tokens (fixed ids spread over the
     * vocabulary) and {@code maxTokens} generated tokens each, ignoring EOS, and waits for all of them.
     *
     * @return the wall time in milliseconds
     * @throws LlmoptException when a request fails or the warm-up takes longer than {@code timeoutSeconds}
     */
    public static long run(InferenceEngine engine, int requests, int promptTokens, int maxTokens, long timeoutSeconds) {
        int vocab = engine.model().config().vocabSize();
        int prompt = Math.max(1, Math.min(promptTokens, engine.contextLength() - maxTokens - 1));
        int generate = Math.max(1, Math.min(maxTokens, engine.contextLength() - prompt));
        CountDownLatch done = new CountDownLatch(requests);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long t0 = System.nanoTime();
        for (int r = 0; r < requests; r++) {
            int[] ids = new int[prompt];
            for (int i = 0; i < prompt; i++) {
                ids[i] = (int) ((i * 7919L + r * 104729L + 3) % vocab);
            }
            engine.submit(new EngineRequest(ids, generate, SamplingParams.greedy(), List.of(), -1, true), new TokenSink() {
                @Override
                public void onToken(GeneratedToken token) {
                }

                @Override
                public void onFinish(Completion completion) {
                    done.countDown();
                }

                @Override
                public void onError(Throwable error) {
                    failure.compareAndSet(null, error);
                    done.countDown();
                }
            });
        }
        try {
            if (!done.await(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new LlmoptException("warm-up did not finish within " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmoptException("warm-up interrupted");
        }
        if (failure.get() != null) {
            throw new LlmoptException("warm-up request failed: " + failure.get().getMessage());
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
