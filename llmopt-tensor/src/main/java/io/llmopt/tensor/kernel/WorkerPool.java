package io.llmopt.tensor.kernel;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The one sized pool of kernel threads (never the common ForkJoin pool). {@link #run} splits [0, n) into
 * chunks that the caller and the workers take from a shared counter and returns when all are done.
 *
 * <p>Chunks shrink as the range is used up (guided scheduling: each is max(grain, remaining / (4·threads))),
 * so the last chunks are small and the threads finish close together; the boundaries depend only on n,
 * grain and the thread count, never on timing, so a task that reduces over its range always gets the same
 * ranges.
 *
 * <p>Protocol: the caller writes the job fields, then bumps the volatile {@code generation}; every worker
 * takes chunks until none are left and then acknowledges the generation in {@code acknowledged}. The caller
 * returns only after every worker acknowledged, so no worker is ever still inside an old job when the next
 * one is written. Dispatch allocates nothing; idle workers spin briefly, then park.
 */
public final class WorkerPool {
    private static final long SPIN_NANOS = 100_000;

    private final int threads;
    private final Thread[] workers;
    private final AtomicLongArray acknowledged; // index = worker id (0 is the caller, unused)
    private final AtomicInteger nextIndex = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long generation;
    private volatile boolean shutdown;
    private volatile Thread caller;
    private RangeTask task;
    private int n;
    private int grain;
    private long dispatches; // written by the caller inside run (synchronized)
    private long barrierNanos;

    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        this.acknowledged = new AtomicLongArray(threads);
        for (int i = 0; i < workers.length; i++) {
            int id = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("llmopt-kernel-" + id).unstarted(() -> workerLoop(id));
            workers[i].start();
        }
    }

    public int threads() {
        return threads;
    }

    /**
     * Runs {@code task} over [0, n) in chunks of at least {@code grain} indices on all threads, returns when
     * every chunk is done and rethrows the first failure.
     */
    public synchronized void run(int n, int grain, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int g = Math.max(1, grain);
        if (threads == 1 || n / g <= 1 || shutdown) {
            task.run(0, 0, n);
            return;
        }
        this.task = task;
        this.n = n;
        this.grain = g;
        nextIndex.set(0);
        caller = Thread.currentThread();
        long gen = generation + 1;
        generation = gen; // publishes the job fields written above
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        work(0);
        long start = System.nanoTime();
        for (int w = 1; w < threads; w++) {
            while (acknowledged.get(w) != gen) {
                long waited = System.nanoTime() - start;
                if (waited < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (waited < 10 * SPIN_NANOS) {
                    Thread.yield();
                } else {
                    LockSupport.parkNanos(this, 20_000);
                }
            }
        }
        dispatches++;
        barrierNanos += System.nanoTime() - start;
        this.task = null;
        Throwable t = failure.getAndSet(null);
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException(t);
        }
    }

    private void work(int worker) {
        RangeTask t = task;
        int total = n;
        int g = grain;
        int parts = 4 * threads; // the first chunk is n / (4·threads), as large as the old equal chunks
        while (true) {
            int from = nextIndex.get();
            if (from >= total) {
                return;
            }
            int to = (int) Math.min(total, from + (long) Math.max(g, (total - from) / parts));
            if (total - to < g) {
                to = total; // no chunk below the grain at the end
            }
            if (!nextIndex.compareAndSet(from, to)) {
                continue;
            }
            try {
                if (failure.get() == null) {
                    t.run(worker, from, to);
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    private void workerLoop(int id) {
        long seen = 0;
        while (true) {
            long start = System.nanoTime();
            long gen;
            while ((gen = generation) == seen && !shutdown) {
                long waited = System.nanoTime() - start;
                if (waited < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else if (waited < 10 * SPIN_NANOS) {
                    Thread.yield();
                } else {
                    LockSupport.park(this);
                }
            }
            if (shutdown) {
                return;
            }
            seen = gen;
            work(id);
            acknowledged.set(id, gen);
            Thread waiting = caller;
            if (waiting != null) {
                LockSupport.unpark(waiting);
            }
        }
    }

    /** Runs handed to the workers so far (runs small enough for the caller alone are not counted). */
    public synchronized long dispatches() {
        return dispatches;
    }

    /**
     * Total nanoseconds the caller waited, after finishing its own chunks, for the workers to finish and
     * acknowledge (the barrier; includes the workers' wake-up latency and any imbalance of the split).
     */
    public synchronized long barrierNanos() {
        return barrierNanos;
    }

    /** Stops the workers; later {@link #run} calls execute on the calling thread. */
    public void shutdown() {
        shutdown = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
