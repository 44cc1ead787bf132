package io.llmopt.bench;

import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
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

/**
 * The attention kernels over {@code rows} cached positions of one kv head (rows {@code kvDim} floats apart, as in
 * a cache of several kv heads) on one thread, with the kernel set {@link KernelProvider} picks (the scalar twins
 * with -Dllmopt.kernels=scalar): scores of one query ({@code dots}) and of two sharing the rows ({@code dots2}), the
 * weighted sum of the value rows for one query ({@code axpys}) and for two ({@code axpys2}); with keys in tiles of 16
 * positions (the contiguous cache's layout), the scores of one query ({@code tileDots}) and of eight sharing the tiles
 * ({@code tileDots8}, a kv head of TinyLlama), and the weighted sums of eight heads over the same rows
 * ({@code axpysHeads8}). Each op covers {@code rows} positions per query; ns per position per query = 1e9 / (ops/s ·
 * rows · queries).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AttentionBench {
    @Param({"256"})
    public int rows;

    @Param({"64", "128"})
    public int headDim;

    /** Floats between consecutive positions (all kv heads of a position): 4 kv heads of 64. */
    @Param({"256"})
    public int kvDim;

    private Kernels kernels;
    private float[] q;
    private float[] k;
    private float[] s;
    private float[] y;

    @Setup(Level.Trial)
    public void setUp() {
        kernels = KernelProvider.get();
        SplittableRandom r = new SplittableRandom(11);
        q = random(r, 8 * headDim);
        k = random(r, rows * Math.max(kvDim, headDim));
        s = random(r, 8 * rows);
        y = new float[8 * headDim];
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextDouble(-1, 1);
        }
        return a;
    }

    @Benchmark
    public float dots() {
        kernels.dots(q, 0, k, 0, Math.max(kvDim, headDim), rows, headDim, s, 0);
        return s[rows - 1];
    }

    @Benchmark
    public float dots2() {
        kernels.dots2(q, 0, headDim, k, 0, Math.max(kvDim, headDim), rows, headDim, s, 0, rows);
        return s[2 * rows - 1];
    }

    @Benchmark
    public float axpys() {
        kernels.axpys(s, 0, k, 0, Math.max(kvDim, headDim), rows, y, 0, headDim);
        return y[0];
    }

    @Benchmark
    public float axpys2() {
        kernels.axpys2(s, 0, rows, k, 0, 0, Math.max(kvDim, headDim), rows, y, 0, headDim, headDim);
        return y[headDim];
    }

    @Benchmark
    public float tileDots() {
        kernels.tileDots(q, 0, headDim, 1, k, 0, 16, 0, rows, headDim, s, 0, rows);
        return s[rows - 1];
    }

    @Benchmark
    public float tileDots8() {
        kernels.tileDots(q, 0, headDim, 8, k, 0, 16, 0, rows, headDim, s, 0, rows);
        return s[8 * rows - 1];
    }

    @Benchmark
    public float axpysHeads8() {
        kernels.axpysHeads(s, 0, rows, 8, k, 0, headDim, rows, y, 0, headDim, headDim);
        return y[7 * headDim];
    }
}
