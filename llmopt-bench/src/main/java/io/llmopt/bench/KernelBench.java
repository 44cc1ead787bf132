package io.llmopt.bench;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * {@link Kernels#matmul} of one weight type and shape [rows×cols] with a batch of activations, on the kernel
 * set {@link KernelProvider} picks (vector unless -Dllmopt.kernels=scalar) and a pool of {@code threads}.
 * Batch 1 is the decode GEMV: each op multiplies the next of several copies of the matrix (a working set of
 * {@code workingSetMiB}, larger than the caches) so weights stream from memory as in a real model. Larger
 * batches are the prefill GEMM on one matrix. With {@code prepared} (the default) the weights run in the
 * kernels' execution form, as a loaded model's do. BenchMain reports GB/s of weight bytes and GFLOP/s
 * (2·rows·cols·batch per op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KernelBench {
    @Param({"Q8_0"})
    public String type;

    /** rows x cols: 2048x2048 (attention), 5632x2048 (gate/up), 2048x5632 (down), 32000x2048 (output). */
    @Param({"5632x2048"})
    public String shape;

    @Param({"1"})
    public int batch;

    @Param({"2"})
    public int threads;

    @Param({"768"})
    public int workingSetMiB;

    /** Whether the weights run in the kernels' execution form (as a loaded model's do) or in the GGUF layout. */
    @Param({"true"})
    public boolean prepared;

    private Arena arena;
    private Tensor[] weights;
    private WorkerPool pool;
    private Kernels kernels;
    private float[] x;
    private float[] out;
    private int next;

    static int rows(String shape) {
        return Integer.parseInt(shape.substring(0, shape.indexOf('x')));
    }

    static int cols(String shape) {
        return Integer.parseInt(shape.substring(shape.indexOf('x') + 1));
    }

    @Setup(Level.Trial)
    public void setUp() {
        int rows = rows(shape);
        int cols = cols(shape);
        arena = Arena.ofShared();
        Tensor first = RandomMatrices.create(arena, GgmlType.byName(type), rows, cols, 7);
        weights = batch == 1 ? RandomMatrices.copies(arena, first, (long) workingSetMiB << 20) : new Tensor[] {first};
        pool = new WorkerPool(threads);
        kernels = KernelProvider.get();
        for (int i = 0; i < weights.length && prepared; i++) {
            weights[i] = kernels.prepare(RandomMatrices.readOnly(weights[i]));
        }
        SplittableRandom r = new SplittableRandom(3);
        x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        out = new float[batch * rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
        arena.close();
    }

    @Benchmark
    public float matmul() {
        Tensor w = weights[next];
        next = next + 1 == weights.length ? 0 : next + 1;
        kernels.matmul(w, x, 0, batch, out, 0, pool);
        return out[0];
    }
}
