package io.llmopt.bench;

import io.llmopt.tensor.kernel.Int8Ceiling;
import io.llmopt.tensor.kernel.RangeTask;
import io.llmopt.tensor.kernel.ReadBandwidth;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The machine's physical limits, measured the way the kernels run (same worker pool, same vector width):
 * {@link #memoryRead} is one pass of {@link ReadBandwidth} over {@code sizeMiB} of off-heap memory (far larger
 * than the caches), the probe {@code llmopt bench --bandwidth} also runs — the ceiling of GEMV, which reads
 * every weight byte once per token; {@link #fma} runs
 * {@link #CHAINS} independent vector FMA chains per thread on registers — the ceiling of GEMM; {@link #vnni} the 8-bit
 * multiply-add chains of {@link Int8Ceiling} — the ceiling of the VNNI GEMMs (integer operations in the GFLOP/s column).
 * BenchMain turns ops/s into GB/s and GFLOP/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MachineCeilings {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Independent accumulators: enough to cover FMA latency (4) × ports (2) with room to spare. */
    static final int CHAINS = 12;
    static final int FMA_ITERATIONS = 1 << 20;

    @Param({"1024"})
    public int sizeMiB;

    @Param({"1", "2"})
    public int threads;

    private ReadBandwidth probe;
    private WorkerPool pool;
    private final float[] sums = new float[64];

    @Setup(Level.Trial)
    public void setUp() {
        probe = new ReadBandwidth(sizeMiB);
        pool = new WorkerPool(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
        probe.close();
    }

    /** Bytes read per op: the whole buffer. */
    static long bytesPerOp(int sizeMiB) {
        return (long) sizeMiB << 20;
    }

    /** Floating-point operations per op of {@link #fma}. */
    static long flopsPerOp(int threads) {
        return (long) threads * FMA_ITERATIONS * CHAINS * 2 * F.length();
    }

    /** Iterations of {@link Int8Ceiling#run} per thread and op. */
    static final int VNNI_ITERATIONS = 1 << 20;

    /** Integer operations per op of {@link #vnni}. */
    static long int8OpsPerOp(int threads) {
        return (long) threads * VNNI_ITERATIONS * Int8Ceiling.CHAINS * Int8Ceiling.OPS_PER_INSTRUCTION;
    }

    /** The 8-bit multiply-add ceiling ({@link Int8Ceiling}): the limit of the VNNI GEMMs; skipped where there is none. */
    @Benchmark
    public int vnni() {
        if (!Int8Ceiling.available()) {
            return 0;
        }
        pool.run(threads, 1, (worker, from, to) -> {
            for (int c = from; c < to; c++) {
                Int8Ceiling.run(VNNI_ITERATIONS);
            }
        });
        return 1;
    }

    @Benchmark
    public double memoryRead() {
        return probe.pass(pool);
    }

    @Benchmark
    public float fma() {
        RangeTask task = (worker, from, to) -> {
            for (int c = from; c < to; c++) {
                sums[c] = fmaChains(1f + c * 1e-7f);
            }
        };
        pool.run(threads, 1, task);
        return sums[0];
    }

    private static float fmaChains(float seed) {
        FloatVector m = FloatVector.broadcast(F, 0.999999f);
        FloatVector k = FloatVector.broadcast(F, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(F, seed), a1 = a0.add(1), a2 = a0.add(2), a3 = a0.add(3);
        FloatVector a4 = a0.add(4), a5 = a0.add(5), a6 = a0.add(6), a7 = a0.add(7);
        FloatVector a8 = a0.add(8), a9 = a0.add(9), a10 = a0.add(10), a11 = a0.add(11);
        for (int i = 0; i < FMA_ITERATIONS; i++) {
            a0 = a0.fma(m, k);
            a1 = a1.fma(m, k);
            a2 = a2.fma(m, k);
            a3 = a3.fma(m, k);
            a4 = a4.fma(m, k);
            a5 = a5.fma(m, k);
            a6 = a6.fma(m, k);
            a7 = a7.fma(m, k);
            a8 = a8.fma(m, k);
            a9 = a9.fma(m, k);
            a10 = a10.fma(m, k);
            a11 = a11.fma(m, k);
        }
        return a0.add(a1).add(a2.add(a3)).add(a4.add(a5).add(a6.add(a7))).add(a8.add(a9).add(a10.add(a11))).reduceLanes(VectorOperators.ADD);
    }
}
