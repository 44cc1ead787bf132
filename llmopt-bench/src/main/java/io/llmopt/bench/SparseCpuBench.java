package io.llmopt.bench;

import io.llmopt.tensor.BitmapRows;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * Dense against bitmap-sparse matmul per CPU-second of the calling thread (one kernel thread), over a working
 * set larger than the caches (copies of the matrix, as a model's layers are). Usage:
 * {@code java --add-modules jdk.incubator.vector -cp llmopt-bench/target/benchmarks.jar io.llmopt.bench.SparseCpuBench
 * TYPES ROWS COLS BATCH PATTERNS WORKING_SET_MIB CPU_SECONDS}, e.g. {@code F16,F32 5632 2048 1 0,0.3,0.5,2:4,0.7,0.9 600 3}.
 * A pattern is a zero fraction (random unstructured zeros) or "2:4" (two of every four kept).
 */
public final class SparseCpuBench {
    private SparseCpuBench() {
    }

    public static void main(String[] a) {
        String[] types = a[0].split(",");
        int rows = Integer.parseInt(a[1]), cols = Integer.parseInt(a[2]), batch = Integer.parseInt(a[3]);
        String[] patterns = a[4].split(",");
        long ws = Long.parseLong(a[5]) << 20;
        double secs = Double.parseDouble(a[6]);
        Kernels k = KernelProvider.get();
        WorkerPool pool = new WorkerPool(1);
        System.out.println("kernels " + k.name() + ", " + rows + "x" + cols + ", batch " + batch + ", working set " + (ws >> 20) + " MiB");
        System.out.println("| type | pattern | dense MB | bitmap MB | dense µs/call | bitmap µs/call | speed-up |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String ty : types) {
            GgmlType type = GgmlType.byName(ty);
            for (String pattern : patterns) {
                try (Arena arena = Arena.ofShared()) {
                    int n = (int) Math.max(1, ws / type.byteSize((long) rows * cols));
                    Tensor[] dense = new Tensor[n];
                    Tensor[] sparse = new Tensor[n];
                    for (int i = 0; i < n; i++) {
                        dense[i] = pruned(arena, type, rows, cols, pattern, 7 + i);
                        sparse[i] = dense[i].withSparse(BitmapRows.encode(dense[i]));
                    }
                    float[] x = new float[batch * cols];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) Math.sin(i);
                    }
                    float[] out = new float[batch * rows];
                    double d = microsPerCall(k, dense, x, batch, out, pool, secs);
                    double s = microsPerCall(k, sparse, x, batch, out, pool, secs);
                    System.out.printf("| %s | %s | %.1f | %.1f | %.0f | %.0f | %.2f× |%n", ty, pattern, dense[0].byteSize() / 1e6,
                            sparse[0].sparse().byteSize() / 1e6, d, s, d / s);
                }
            }
        }
        pool.shutdown();
    }

    private static double microsPerCall(Kernels k, Tensor[] w, float[] x, int batch, float[] out, WorkerPool pool, double secs) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        int n = 0;
        long cw0 = mx.getCurrentThreadCpuTime();
        while (mx.getCurrentThreadCpuTime() - cw0 < 1_500_000_000L) {
            k.matmul(w[n++ % w.length], x, 0, batch, out, 0, pool);
        }
        long c0 = mx.getCurrentThreadCpuTime();
        int calls = 0;
        while (mx.getCurrentThreadCpuTime() - c0 < secs * 1e9) {
            k.matmul(w[n++ % w.length], x, 0, batch, out, 0, pool);
            calls++;
        }
        return (mx.getCurrentThreadCpuTime() - c0) / 1e3 / calls;
    }

    /** A rows×cols matrix of random ±[0.002, 0.034) values with the given zero fraction or "2:4" pattern. */
    static Tensor pruned(Arena arena, GgmlType type, int rows, int cols, String pattern, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        boolean nm = pattern.equals("2:4");
        double zero = nm ? 0 : Double.parseDouble(pattern);
        float[] row = new float[cols];
        MemorySegment seg = arena.allocate(type.byteSize((long) rows * cols), 64);
        long rowBytes = type.byteSize(cols);
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < cols; c++) {
                row[c] = r.nextDouble() < zero ? 0f : (float) (0.02 * r.nextDouble(0.1, 1.7)) * (r.nextBoolean() ? 1 : -1);
            }
            if (nm) {
                for (int g = 0; g + 4 <= cols; g += 4) {
                    int keepA = r.nextInt(4), keepB = (keepA + 1 + r.nextInt(3)) % 4;
                    for (int q = 0; q < 4; q++) {
                        if (q != keepA && q != keepB) {
                            row[g + q] = 0f;
                        }
                    }
                }
            }
            Codecs.of(type).quantize(row, 0, cols, seg, i * rowBytes);
        }
        return new Tensor(type + "-" + pattern, type, new long[] {rows, cols}, seg);
    }
}
