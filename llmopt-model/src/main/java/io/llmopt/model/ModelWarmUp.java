package io.llmopt.model;

import io.llmopt.model.sampling.Sampler;
import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.LlmoptException;

/**
 * A short throwaway run of the model in a background thread, so that the JIT compiles the prompt (GEMM),
 * decode (GEMV) and attention kernels before the first real request: an interactive chat starts it while the
 * user types and {@link #await}s it before the first turn. Cold, a 1.1B model's first short reply takes about
 * three times as long as the next ones (docs/BENCHMARKS.md, "Chat warm-up").
 *
 * <p>It runs {@code promptTokens} fixed token ids as one batch, then {@code decodeSteps} single-token steps that
 * feed back the most likely token, on a state of its own (the caller's caches are never touched). The model and
 * its pool must not be used by another thread until {@link #await} or {@link #cancel} has returned.
 */
public final class ModelWarmUp {
    private final Thread thread;
    private volatile boolean cancelled;
    private volatile Throwable failure;
    private volatile long nanos;
    private volatile int tokens;

    private ModelWarmUp(LlamaModel model, int promptTokens, int decodeSteps) {
        if (promptTokens < 1 || decodeSteps < 0) {
            throw new IllegalArgumentException("warm-up needs >= 1 prompt token and >= 0 decode steps, got " + promptTokens + " and " + decodeSteps);
        }
        thread = Thread.ofPlatform().daemon().name("llmopt-warm-up").unstarted(() -> {
            long t0 = System.nanoTime();
            try {
                run(model, promptTokens, decodeSteps);
            } catch (Throwable t) {
                failure = t;
            }
            nanos = System.nanoTime() - t0;
        });
    }

    /** Starts a warm-up of {@code promptTokens} prompt tokens and {@code decodeSteps} decode steps (both cut to the model's context). */
    public static ModelWarmUp start(LlamaModel model, int promptTokens, int decodeSteps) {
        ModelWarmUp w = new ModelWarmUp(model, promptTokens, decodeSteps);
        w.thread.start();
        return w;
    }

    private void run(LlamaModel model, int promptTokens, int decodeSteps) {
        LlamaConfig c = model.config();
        int context = c.contextLength() > 0 ? c.contextLength() : promptTokens + decodeSteps;
        int prompt = Math.max(1, Math.min(promptTokens, context - 1));
        int steps = Math.max(0, Math.min(decodeSteps, context - prompt));
        ForwardState state = model.newState(prompt + steps, prompt);
        int vocab = c.vocabSize();
        int[] ids = new int[prompt];
        for (int i = 0; i < prompt; i++) {
            ids[i] = (int) ((i * 7919L + 3) % vocab); // spread over the vocabulary
        }
        float[] logits = model.forward(state, ids, 0, prompt, 0, false);
        tokens = prompt;
        int[] next = new int[1];
        Sampler greedy = new Sampler(SamplingParams.greedy(), vocab); // the generators' sampler, so it is compiled too
        for (int i = 0; i < steps && !cancelled; i++) {
            next[0] = greedy.sample(logits, vocab);
            logits = model.forward(state, next, 0, 1, prompt + i, false);
            tokens = prompt + i + 1;
        }
    }

    /**
     * Waits for the warm-up to finish; returns its wall time in milliseconds.
     *
     * @throws LlmoptException if it failed (the same failure would stop the real run) or the wait was interrupted
     */
    public long await() {
        join();
        Throwable t = failure;
        if (t != null) {
            throw t instanceof LlmoptException le ? le : new LlmoptException("warm-up failed: " + t);
        }
        return nanos / 1_000_000;
    }

    /** Tokens run so far: the prompt once it has run, plus the decode steps done. */
    public int tokens() {
        return tokens;
    }

    /** Stops the warm-up after its current step and waits for it (for a session that ends before its first request). */
    public void cancel() {
        cancelled = true;
        join();
    }

    private void join() {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LlmoptException("interrupted while waiting for the warm-up");
        }
    }
}
