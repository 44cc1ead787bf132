package io.llmopt.bench;

import io.llmopt.tensor.BitmapRows;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.lang.foreign.Arena;
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
 * Decode GEMV of a pruned [rows×cols] matrix in its dense form against its bitmap-sparse form
 * ({@link BitmapRows}), one kernel thread, over copies of the matrix filling {@code workingSetMiB} (0: one
 * cache-resident matrix). E.g. {@code llmopt-bench/run.sh SparseKernelBench -p type=F16,F32 -p pattern=0.5,2:4}.
 * Wall-clock: on a loaded machine prefer {@link SparseCpuBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SparseKernelBench {
    @Param({"F16"})
    public String type;

    /** Zero fraction (random unstructured) or "2:4". */
    @Param({"0.5"})
    public String pattern;

    @Param({"dense", "bitmap"})
    public String form;

    @Param({"5632x2048"})
    public String shape;

    @Param({"300"})
    public int workingSetMiB;

    private Arena arena;
    private Tensor[] weights;
    private WorkerPool pool;
    private Kernels kernels;
    private float[] x;
    private float[] out;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        int rows = KernelBench.rows(shape);
        int cols = Integer.parseInt(shape.substring(shape.indexOf('x') + 1));
        GgmlType t = GgmlType.byName(type);
        arena = Arena.ofShared();
        int n = (int) Math.max(1, ((long) workingSetMiB << 20) / t.byteSize((long) rows * cols));
        weights = new Tensor[n];
        for (int i = 0; i < n; i++) {
            Tensor d = SparseCpuBench.pruned(arena, t, rows, cols, pattern, 7 + i);
            weights[i] = form.equals("bitmap") ? d.withSparse(BitmapRows.encode(d)) : d;
        }
        pool = new WorkerPool(1);
        kernels = KernelProvider.get();
        x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) Math.sin(i);
        }
        out = new float[rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
        arena.close();
    }

    @Benchmark
    public float[] gemv() {
        kernels.matmul(weights[next++ % weights.length], x, 0, 1, out, 0, pool);
        return out;
    }
}
