package io.llmopt.tensor.kernel;

import static io.llmopt.tensor.kernel.Simd.F;
import static io.llmopt.tensor.kernel.Simd.LE;

import io.llmopt.tensor.Layouts;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The machine's streaming read bandwidth as the decode GEMV sees it: one pass over an off-heap buffer far
 * larger than the caches, split by a {@link WorkerPool} into units of {@link #UNIT} bytes, each read as
 * {@link #STREAMS} forward streams in lock step (the memory pattern of a four-panel GEMV work unit) with the
 * least work per byte: two vector adds per stream and step. Measured on the session-8 machine (2 Zen 4 cores,
 * 2026-11-23): one stream per thread and four give the same two-thread figure within the noise of the host
 * (30.7–33.5 against 33.4–35.0 GB/s over six passes each).
 *
 * <p>The buffer holds the floats 0, 1, 2, 3, 0, 1, … so the pass's sum is an exact integer ({@link #expectedSum}),
 * which {@link #scalarSum}, the scalar twin, also computes: the vector loop cannot have skipped bytes.
 */
public final class ReadBandwidth implements AutoCloseable {
    /** Bytes of one work unit. */
    public static final int UNIT = 1 << 20;
    /** Forward streams of a unit. */
    public static final int STREAMS = 4;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer;
    private final double[] sums;

    /** A probe over {@code mib} MiB (at least 1; use several times the last-level cache). */
    public ReadBandwidth(int mib) {
        if (mib < 1) {
            throw new IllegalArgumentException("buffer must be at least 1 MiB, got " + mib);
        }
        buffer = arena.allocate((long) mib * UNIT, 4096);
        long n = buffer.byteSize() / 4;
        for (long i = 0; i < n; i++) {
            buffer.setAtIndex(Layouts.FLOAT, i, i & 3);
        }
        sums = new double[mib];
    }

    /** Bytes read by one pass. */
    public long bytes() {
        return buffer.byteSize();
    }

    /** Σ of the buffer's floats: 6 per 16 bytes. */
    public double expectedSum() {
        return 6.0 * (buffer.byteSize() / 16);
    }

    /** One pass on {@code pool}'s threads; returns its sum (see {@link #expectedSum}). */
    public double pass(WorkerPool pool) {
        pool.run(sums.length, 1, (worker, from, to) -> {
            for (int u = from; u < to; u++) {
                sums[u] = unit(buffer, (long) u * UNIT);
            }
        });
        double s = 0;
        for (double v : sums) {
            s += v;
        }
        return s;
    }

    /** GB/s (10⁹ bytes per second) of one pass on {@code pool}; fails if the pass's sum is wrong. */
    public double measure(WorkerPool pool) {
        long t0 = System.nanoTime();
        double s = pass(pool);
        long t1 = System.nanoTime();
        if (s != expectedSum()) {
            throw new IllegalStateException("read probe summed " + s + ", expected " + expectedSum());
        }
        return bytes() / (double) (t1 - t0);
    }

    /** The largest of {@code passes} passes' GB/s: the best the machine streams at this moment. */
    public double best(WorkerPool pool, int passes) {
        double best = 0;
        for (int i = 0; i < passes; i++) {
            best = Math.max(best, measure(pool));
        }
        return best;
    }

    /** The scalar twin of one pass: the buffer's floats summed one at a time. */
    public double scalarSum() {
        double s = 0;
        long n = buffer.byteSize() / 4;
        for (long i = 0; i < n; i++) {
            s += buffer.getAtIndex(Layouts.FLOAT, i);
        }
        return s;
    }

    /** Σ of one unit, read as four streams of UNIT/4 bytes, two vectors of each per step; exact for this buffer (integers far below 2²⁴ per lane). */
    private static double unit(MemorySegment m, long from) {
        long q = UNIT / STREAMS;
        long v = F.vectorByteSize();
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (long o = from, end = from + q; o < end; o += 2 * v) {
            a0 = FloatVector.fromMemorySegment(F, m, o, LE).lanewise(VectorOperators.ADD, a0);
            a1 = FloatVector.fromMemorySegment(F, m, o + v, LE).lanewise(VectorOperators.ADD, a1);
            a2 = FloatVector.fromMemorySegment(F, m, o + q, LE).lanewise(VectorOperators.ADD, a2);
            a3 = FloatVector.fromMemorySegment(F, m, o + q + v, LE).lanewise(VectorOperators.ADD, a3);
            a4 = FloatVector.fromMemorySegment(F, m, o + 2 * q, LE).lanewise(VectorOperators.ADD, a4);
            a5 = FloatVector.fromMemorySegment(F, m, o + 2 * q + v, LE).lanewise(VectorOperators.ADD, a5);
            a6 = FloatVector.fromMemorySegment(F, m, o + 3 * q, LE).lanewise(VectorOperators.ADD, a6);
            a7 = FloatVector.fromMemorySegment(F, m, o + 3 * q + v, LE).lanewise(VectorOperators.ADD, a7);
        }
        return (double) a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void close() {
        arena.close();
    }
}
