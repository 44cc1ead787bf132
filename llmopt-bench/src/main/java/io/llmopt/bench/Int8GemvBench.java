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
 * Issue #3 experiment: one-thread GEMV of a Q8_0 or Q4_0 matrix (default 512×2048, L2-resident, so the
 * decode arithmetic is what is measured) by the float path ({@link Kernels#matmul}: weights widened to
 * float, fma with float activations) against {@link Int8Gemv} (activations quantized to int8 per 32 values,
 * integer block dots; the quantization of x is included in each op). Ops/s × weight bytes = GB/s.
 * {@code llmopt-bench/run.sh Int8GemvBench -p type=Q8_0,Q4_0 -p path=float,int8}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class Int8GemvBench {
    @Param({"Q8_0"})
    public String type;

    @Param({"float"})
    public String path;

    @Param({"512"})
    public int rows;

    @Param({"2048"})
    public int cols;

    private Arena arena;
    private Tensor w;
    private WorkerPool pool;
    private Kernels kernels;
    private float[] x;
    private byte[] qx;
    private float[] dx;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        w = RandomMatrices.create(arena, GgmlType.byName(type), rows, cols, 7);
        pool = new WorkerPool(1);
        kernels = KernelProvider.get();
        SplittableRandom r = new SplittableRandom(3);
        x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        qx = new byte[cols];
        dx = new float[cols / 32];
        out = new float[rows];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdown();
        arena.close();
    }

    @Benchmark
    public float gemv() {
        if (path.equals("float")) {
            kernels.matmul(w, x, 0, 1, out, 0, pool);
        } else {
            Int8Gemv.quantize(x, cols, qx, dx);
            if (type.equals("Q8_0")) {
                Int8Gemv.q8_0(w.data(), rows, cols, qx, dx, out);
            } else {
                Int8Gemv.q4_0(w.data(), rows, cols, qx, dx, out);
            }
        }
        return out[0];
    }
}
