package io.llmopt.server;

import io.llmopt.engine.Completion;
import io.llmopt.engine.EngineConfig;
import io.llmopt.engine.EngineOverloadedException;
import io.llmopt.engine.EngineRequest;
import io.llmopt.engine.EngineStats;
import io.llmopt.engine.GeneratedToken;
import io.llmopt.engine.InferenceEngine;
import io.llmopt.engine.RequestHandle;
import io.llmopt.engine.TokenSink;
import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.sampling.Sampler;
import io.llmopt.model.sampling.StopSequences;
import io.llmopt.model.sampling.TopLogprobs;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.tokenizer.StreamingDecoder;
import io.llmopt.tokenizer.Tokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * TEST DOUBLE of {@link InferenceEngine}: runs requests one at a time, token by token, the way
 * {@link io.llmopt.model.generate.Generator} does (same sampler, decoder and stop matching), on a real model. No
 * batching, no paged KV cache (KV block counts are 0).
 */
final class SerialEngine implements InferenceEngine {
    private final LoadedModel loaded;
    private final WorkerPool pool;
    private final LlamaModel model;
    private final EngineConfig config;
    private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();
    private final Thread loop;
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong generated = new AtomicLong();
    private final AtomicLong prompt = new AtomicLong();
    private final AtomicLong steps = new AtomicLong();
    private volatile boolean accepting = true;
    private volatile boolean stopping;
    private volatile Job running;

    private final class Job implements RequestHandle {
        final long id = ids.incrementAndGet();
        final EngineRequest request;
        final TokenSink sink;
        final long submitted = System.nanoTime();
        final AtomicBoolean cancelled = new AtomicBoolean();

        Job(EngineRequest request, TokenSink sink) {
            this.request = request;
            this.sink = sink;
        }

        @Override
        public long id() {
            return id;
        }

        @Override
        public void cancel() {
            cancelled.set(true);
            if (queue.remove(this)) {
                sink.onFinish(new Completion(Completion.Reason.CANCELLED, null, "", request.promptTokens().length, 0, 0,
                        System.nanoTime() - submitted, -1, System.nanoTime() - submitted));
            }
        }
    }

    private SerialEngine(LoadedModel loaded, EngineConfig config) {
        this.loaded = loaded;
        this.config = config;
        this.pool = new WorkerPool(config.threads());
        this.model = new LlamaModel(loaded.config(), loaded.weights(), KernelProvider.get(), pool);
        this.loop = Thread.ofPlatform().name("serial-engine").daemon().start(this::run);
    }

    static SerialEngine start(LoadedModel loaded, EngineConfig config) {
        return new SerialEngine(loaded, config);
    }

    @Override
    public LoadedModel model() {
        return loaded;
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    @Override
    public RequestHandle submit(EngineRequest request, TokenSink sink) {
        if (!accepting) {
            throw new LlmoptException("the engine is shutting down");
        }
        int[] p = request.promptTokens();
        if ((long) p.length + request.maxTokens() > config.contextLength()) {
            throw new LlmoptException("prompt (" + p.length + ") + max_tokens (" + request.maxTokens() + ") exceeds the context of "
                    + config.contextLength());
        }
        for (int t : p) {
            if (t < 0 || t >= loaded.config().vocabSize()) {
                throw new LlmoptException("token id " + t + " is outside the vocabulary");
            }
        }
        synchronized (queue) {
            if (queue.size() >= config.maxQueue()) {
                throw new EngineOverloadedException("the queue is full (" + config.maxQueue() + " requests)", 1);
            }
            Job job = new Job(request, sink);
            queue.add(job);
            return job;
        }
    }

    @Override
    public EngineStats stats() {
        return new EngineStats(queue.size(), running == null ? 0 : 1, 0, 0, 0, 0, 0, 0, steps.get(), prompt.get(), generated.get());
    }

    @Override
    public void shutdown(Duration grace) {
        accepting = false;
        long end = System.nanoTime() + grace.toNanos();
        while ((running != null || !queue.isEmpty()) && System.nanoTime() < end) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stopping = true;
        for (Job j : new ArrayList<>(queue)) {
            j.cancel();
        }
        Job r = running;
        if (r != null) {
            r.cancelled.set(true);
        }
        loop.interrupt();
        try {
            loop.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdown();
        loaded.close();
    }

    private void run() {
        while (!stopping) {
            Job job;
            try {
                job = queue.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (job == null) {
                continue;
            }
            running = job;
            try {
                generate(job);
            } catch (RuntimeException e) {
                job.sink.onError(e);
            } finally {
                running = null;
            }
        }
    }

    private void generate(Job job) {
        EngineRequest r = job.request;
        Tokenizer tok = loaded.tokenizer();
        int vocab = loaded.config().vocabSize();
        int[] p = r.promptTokens();
        long start = System.nanoTime();
        ForwardState state = model.newState(Math.min(config.contextLength(), p.length + r.maxTokens() + 1), 512);
        Sampler sampler = new Sampler(r.sampling(), vocab);
        sampler.acceptPrompt(p);
        StreamingDecoder decoder = tok.streamingDecoder();
        for (int t : p) {
            decoder.accept(t);
        }
        StopSequences stops = new StopSequences(r.stopStrings());
        TopLogprobs top = r.topLogprobs() >= 0 ? new TopLogprobs(EngineRequest.MAX_TOP_LOGPROBS) : null;
        float[] logits = model.forward(state, p, 0, p.length, 0, false);
        steps.incrementAndGet();
        prompt.addAndGet(p.length);
        int n = 0;
        int pos = p.length;
        long first = -1;
        Completion.Reason reason = Completion.Reason.LENGTH;
        String stopString = null;
        while (n < r.maxTokens()) {
            if (job.cancelled.get()) {
                reason = Completion.Reason.CANCELLED;
                break;
            }
            float logprob = Float.NaN;
            List<GeneratedToken.TokenLogprob> alts = List.of();
            if (top != null) {
                top.compute(logits, vocab, r.topLogprobs());
                alts = new ArrayList<>();
                for (int i = 0; i < top.size(); i++) {
                    alts.add(new GeneratedToken.TokenLogprob(top.token(i), tok.piece(top.token(i)), top.logprob(i)));
                }
            }
            int token = sampler.sample(logits, vocab);
            sampler.accept(token);
            if (top != null) {
                logprob = top.logprobOf(logits, token);
            }
            if (!r.ignoreEos() && tok.isEndOfGeneration(token)) {
                reason = Completion.Reason.STOP;
                break;
            }
            n++;
            generated.incrementAndGet();
            if (first < 0) {
                first = System.nanoTime() - job.submitted;
            }
            StopSequences.Result res = stops.feed(decoder.accept(token));
            job.sink.onToken(new GeneratedToken(token, res.text(), logprob, alts));
            if (res.stopped()) {
                reason = Completion.Reason.STOP;
                stopString = res.stop();
                break;
            }
            if (n == r.maxTokens() || pos >= state.contextLength()) {
                break;
            }
            logits = model.forward(state, new int[] {token}, 0, 1, pos++, false);
            steps.incrementAndGet();
        }
        String trailing = "";
        if (stopString == null && reason != Completion.Reason.CANCELLED) {
            StopSequences.Result res = stops.feed(decoder.flush());
            trailing = res.text();
            if (res.stopped()) {
                reason = Completion.Reason.STOP;
                stopString = res.stop();
            } else {
                trailing += stops.flush();
            }
        }
        long now = System.nanoTime();
        job.sink.onFinish(new Completion(reason, stopString, trailing, p.length, n, 0, start - job.submitted, first,
                now - job.submitted));
    }
}
