package io.llmopt.engine;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.paged.PagedForward;
import io.llmopt.model.paged.PagedKvCache;
import io.llmopt.model.paged.SequenceBatch;
import io.llmopt.model.sampling.StopSequences;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The serving engine: one platform thread runs {@code step()} = schedule ({@link Scheduler}: which sequences,
 * how many tokens, which blocks), execute ({@link PagedForward}: one forward pass over all of them), update
 * (sample, stream, finish) until shut down. {@link #submit} and {@link RequestHandle#cancel()} may be called
 * from any thread; they hand work to the step thread through concurrent queues, applied between steps.
 *
 * <p>Requests still running or waiting when {@link #shutdown} gives up on them get {@link TokenSink#onError} (an
 * {@link LlmoptException} saying the engine shut down). The step thread closes the worker pool and the model
 * when it ends.
 */
public final class BatchingEngine implements InferenceEngine {
    private static final System.Logger LOG = System.getLogger("io.llmopt.engine");
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final LoadedModel model;
    private final EngineConfig config;
    private final WorkerPool pool;
    private final PagedKvCache cache;
    private final PagedForward forward;
    private final SequenceBatch batch;
    private final BlockPool blocks;
    private final Scheduler scheduler;
    private final int vocab;
    private final float[] row;
    private final Thread thread;

    private final ConcurrentLinkedQueue<Sequence> inbox = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Sequence> cancels = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final Object submitLock = new Object();
    private boolean accepting = true; // guarded by submitLock
    private final AtomicBoolean shutdownStarted = new AtomicBoolean();
    private volatile boolean draining;
    private volatile boolean abort;
    private volatile int waitingSize;
    private volatile double averageRequestSeconds = 1;
    private volatile EngineStats stats;

    private long steps;
    private long promptTokens;
    private long generatedTokens;

    private BatchingEngine(LoadedModel model, EngineConfig config, Kernels kernels) {
        LlamaConfig c = model.config();
        if (config.contextLength() > c.contextLength()) {
            throw new LlmoptException("context length " + config.contextLength() + " exceeds the model's "
                    + c.contextLength() + " tokens");
        }
        if (config.maxBatchedTokens() < config.maxNumSeqs()) {
            throw new LlmoptException("max-batched-tokens " + config.maxBatchedTokens() + " must be at least max-num-seqs "
                    + config.maxNumSeqs() + " (every running sequence needs its decode token in each step)");
        }
        this.model = model;
        this.config = config;
        this.vocab = c.vocabSize();
        this.pool = new WorkerPool(config.threads());
        try {
            this.cache = new PagedKvCache(c, config.kvCacheBlocks(), config.blockSize(), config.kvCacheType());
            this.forward = new PagedForward(c, model.weights(), kernels, pool, config.contextLength(),
                    config.maxBatchedTokens(), config.maxNumSeqs());
        } catch (RuntimeException | OutOfMemoryError e) {
            pool.shutdown();
            throw e;
        }
        this.batch = new SequenceBatch(config.maxBatchedTokens(), config.maxNumSeqs());
        this.blocks = new BlockPool(config.kvCacheBlocks(), config.blockSize());
        this.scheduler = new Scheduler(blocks, config.maxNumSeqs(), config.maxBatchedTokens(), config.prefixCaching());
        this.row = new float[vocab];
        publishStats();
        this.thread = Thread.ofPlatform().name("llmopt-engine").daemon(true).unstarted(this::loop);
    }

    /**
     * Starts an engine on the default kernels; it owns {@code model} from now on and closes it at shutdown (if
     * start throws, e.g. for a config the model cannot serve, the caller still owns the model).
     */
    public static BatchingEngine start(LoadedModel model, EngineConfig config) {
        return start(model, config, KernelProvider.get());
    }

    /** As {@link #start(LoadedModel, EngineConfig)} with explicit kernels (tests compare kernel sets). */
    public static BatchingEngine start(LoadedModel model, EngineConfig config, Kernels kernels) {
        BatchingEngine engine = new BatchingEngine(model, config, kernels);
        engine.thread.start();
        LOG.log(Level.INFO, () -> "engine: " + config.kvCacheBlocks() + " " + config.kvCacheType() + " KV blocks of " + config.blockSize()
                + " positions (" + engine.cache.byteSize() / (1 << 20) + " MiB), " + config.maxNumSeqs()
                + " sequences, " + config.maxBatchedTokens() + " tokens per step, kernels " + kernels.name());
        return engine;
    }

    @Override
    public LoadedModel model() {
        return model;
    }

    @Override
    public int contextLength() {
        return config.contextLength();
    }

    public EngineConfig config() {
        return config;
    }

    @Override
    public RequestHandle submit(EngineRequest request, TokenSink sink) {
        RequestLimits.check(request, vocab, config);
        SequenceOutput output = new SequenceOutput(request, model.tokenizer(), vocab);
        Sequence seq = new Sequence(ids.incrementAndGet(), request, sink, output, config.blockSize());
        synchronized (submitLock) {
            if (!accepting) {
                throw new LlmoptException("the engine is shutting down and accepts no new requests");
            }
            int queued = pending.get() + waitingSize;
            if (queued >= config.maxQueue()) {
                int retry = (int) Math.min(60, Math.max(1, Math.ceil(averageRequestSeconds * queued / config.maxNumSeqs())));
                throw new EngineOverloadedException(queued + " requests are already waiting (max-queue "
                        + config.maxQueue() + ")", retry);
            }
            pending.incrementAndGet();
            inbox.add(seq);
        }
        LockSupport.unpark(thread);
        return new Handle(seq);
    }

    private final class Handle implements RequestHandle {
        private final Sequence seq;

        Handle(Sequence seq) {
            this.seq = seq;
        }

        @Override
        public long id() {
            return seq.id;
        }

        @Override
        public void cancel() {
            if (!seq.cancelRequested) {
                seq.cancelRequested = true;
                cancels.add(seq);
                LockSupport.unpark(thread);
            }
        }
    }

    @Override
    public EngineStats stats() {
        return stats;
    }

    @Override
    public void shutdown(Duration grace) {
        synchronized (submitLock) {
            accepting = false;
        }
        if (Thread.currentThread() == thread) { // from a sink callback: cannot wait for ourselves
            abort = true;
            return;
        }
        if (shutdownStarted.compareAndSet(false, true)) {
            draining = true;
            LockSupport.unpark(thread);
            try {
                long millis = Math.max(0, grace.toMillis());
                if (millis > 0) {
                    thread.join(millis);
                }
                if (thread.isAlive()) {
                    abort = true;
                    LockSupport.unpark(thread);
                }
            } catch (InterruptedException e) {
                abort = true;
                LockSupport.unpark(thread);
                Thread.currentThread().interrupt();
            }
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the step thread

    private void loop() {
        try {
            while (!abort) {
                drain();
                if (abort) {
                    break;
                }
                if (scheduler.idle()) {
                    publishStats();
                    if (draining) {
                        break;
                    }
                    LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                    continue;
                }
                step();
            }
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "engine step loop died", t);
        } finally {
            synchronized (submitLock) {
                accepting = false; // also when the loop died: later submits fail instead of hanging
            }
            drain();
            LlmoptException shutdown = new LlmoptException("the engine shut down before the request finished");
            for (Sequence s : new ArrayList<>(scheduler.running)) {
                fail(s, shutdown);
            }
            for (Sequence s : new ArrayList<>(scheduler.waiting)) {
                fail(s, shutdown);
            }
            publishStats();
            pool.shutdown();
            try {
                model.close();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "closing the model: " + e.getMessage());
            }
        }
    }

    /** Applies submissions and cancellations that arrived since the last step. */
    private void drain() {
        Sequence s;
        while ((s = inbox.poll()) != null) {
            pending.decrementAndGet();
            scheduler.waiting.addLast(s);
        }
        while ((s = cancels.poll()) != null) {
            if (!s.finished) {
                finish(s, Completion.Reason.CANCELLED, null, "");
            }
        }
        waitingSize = scheduler.waiting.size();
    }

    /** schedule → execute → update. */
    private void step() {
        scheduler.schedule();
        waitingSize = scheduler.waiting.size();
        int n = scheduler.planSize;
        if (n == 0) {
            LockSupport.parkNanos(this, IDLE_PARK_NANOS);
            return;
        }
        long now = System.nanoTime();
        batch.clear();
        for (int i = 0; i < n; i++) {
            Sequence s = scheduler.planSeqs[i];
            int count = scheduler.planTokens[i];
            if (s.firstScheduledNanos < 0) {
                s.firstScheduledNanos = now;
            }
            batch.addSequence(s.blockTable, s.tokens, s.computed, count, s.computed, s.computed + count == s.length);
        }
        float[] logits;
        try {
            logits = forward.forward(cache, batch);
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.log(Level.ERROR, "engine step failed; failing its " + n + " sequences", e);
            for (int i = 0; i < n; i++) {
                fail(scheduler.planSeqs[i], e);
            }
            return;
        }
        steps++;
        int logitRow = 0;
        for (int i = 0; i < n; i++) {
            Sequence s = scheduler.planSeqs[i];
            int count = scheduler.planTokens[i];
            promptTokens += Math.max(0, Math.min(s.computed + count, s.promptLength) - s.computed);
            s.computed += count;
            if (config.prefixCaching()) {
                s.registerFullBlocks(blocks);
            }
            if (s.computed == s.length) {
                System.arraycopy(logits, logitRow++ * vocab, row, 0, vocab);
                if (!s.finished) {
                    try {
                        update(s);
                    } catch (RuntimeException e) {
                        LOG.log(Level.ERROR, "request " + s.id + " failed", e);
                        fail(s, e);
                    }
                }
            }
        }
        publishStats();
    }

    /** Samples and streams the next token of a sequence whose logits are in {@link #row}. */
    private void update(Sequence s) {
        int token;
        try {
            token = s.output.sample(row, vocab);
        } catch (RuntimeException e) {
            fail(s, e);
            return;
        }
        generatedTokens++;
        s.generated++;
        if (s.firstTokenNanos < 0) {
            s.firstTokenNanos = System.nanoTime();
        }
        if (s.output.endsGeneration(token)) {
            finishText(s, Completion.Reason.STOP);
            return;
        }
        s.append(token);
        StopSequences.Result text = s.output.feed(token);
        GeneratedToken generated = s.output.emit(token, row, vocab, text);
        try {
            s.sink.onToken(generated);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request " + s.id + ": token sink failed, cancelling: " + e);
            finish(s, Completion.Reason.CANCELLED, null, "");
            return;
        }
        if (text.stopped()) {
            finish(s, Completion.Reason.STOP, text.stop(), "");
        } else if (s.generated >= s.request.maxTokens() || s.length >= config.contextLength()) {
            finishText(s, Completion.Reason.LENGTH);
        }
    }

    /** Ends by EOS or length: flushes held-back text (which may still complete a stop string). */
    private void finishText(Sequence s, Completion.Reason reason) {
        SequenceOutput.Ending end = s.output.finish();
        finish(s, end.stopString() != null ? Completion.Reason.STOP : reason, end.stopString(), end.trailingText());
    }

    private void finish(Sequence s, Completion.Reason reason, String stop, String trailing) {
        retire(s);
        long now = System.nanoTime();
        long total = now - s.submitNanos;
        averageRequestSeconds = 0.9 * averageRequestSeconds + 0.1 * total / 1e9;
        Completion c = new Completion(reason, stop, trailing, s.promptLength, s.generated,
                Math.max(0, s.cachedPromptTokens), (s.firstScheduledNanos < 0 ? now : s.firstScheduledNanos) - s.submitNanos,
                s.firstTokenNanos < 0 ? -1 : s.firstTokenNanos - s.submitNanos, total);
        try {
            s.sink.onFinish(c);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request " + s.id + ": onFinish failed: " + e);
        }
    }

    private void fail(Sequence s, Throwable error) {
        if (s.finished) {
            return;
        }
        retire(s);
        try {
            s.sink.onError(error);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "request " + s.id + ": onError failed: " + e);
        }
    }

    private void retire(Sequence s) {
        s.finished = true;
        scheduler.remove(s);
        s.releaseBlocks(blocks);
        waitingSize = scheduler.waiting.size();
    }

    private void publishStats() {
        stats = new EngineStats(scheduler.waiting.size() + pending.get(), scheduler.running.size(), blocks.numBlocks(),
                blocks.usedBlocks(), blocks.cachedFreeBlocks(), scheduler.prefixQueriedTokens, scheduler.prefixHitTokens,
                scheduler.preemptions, steps, promptTokens, generatedTokens);
    }
}
