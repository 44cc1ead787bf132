package io.llmopt.bench;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * {@link Int8GemvBench}'s comparison per CPU-second of the calling thread (for a loaded machine, where JMH's
 * wall-clock numbers follow the load): {@code java --add-modules jdk.incubator.vector -cp
 * llmopt-bench/target/benchmarks.jar io.llmopt.bench.Int8CpuTime ROWS COLS CPU_SECONDS ROUNDS}; float and
 * int8 paths alternate, each after 2 CPU-seconds of warm-up.
 */
public final class Int8CpuTime {
    private Int8CpuTime() {
    }

    public static void main(String[] a) {
        int rows = Integer.parseInt(a[0]), cols = Integer.parseInt(a[1]);
        double secs = Double.parseDouble(a[2]);
        int rounds = Integer.parseInt(a[3]);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Kernels k = KernelProvider.get();
        WorkerPool pool = new WorkerPool(1);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) {
            x[i] = (float) Math.sin(i);
        }
        byte[] qx = new byte[cols];
        float[] dx = new float[cols / 32];
        float[] out = new float[rows];
        try (Arena arena = Arena.ofShared()) {
            for (String ty : new String[] {"Q8_0", "Q4_0"}) {
                Tensor w = RandomMatrices.create(arena, GgmlType.byName(ty), rows, cols, 7);
                for (int round = -1; round < rounds; round++) {
                    for (String path : new String[] {"float", "int8"}) {
                        double limit = round < 0 ? 2.0 : secs;
                        long c0 = mx.getCurrentThreadCpuTime();
                        long calls = 0;
                        while (mx.getCurrentThreadCpuTime() - c0 < limit * 1e9) {
                            for (int i = 0; i < 16; i++, calls++) {
                                if (path.equals("float")) {
                                    k.matmul(w, x, 0, 1, out, 0, pool);
                                } else {
                                    Int8Gemv.quantize(x, cols, qx, dx);
                                    if (ty.equals("Q8_0")) {
                                        Int8Gemv.q8_0(w.data(), rows, cols, qx, dx, out);
                                    } else {
                                        Int8Gemv.q4_0(w.data(), rows, cols, qx, dx, out);
                                    }
                                }
                            }
                        }
                        double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9;
                        if (round >= 0) {
                            System.out.printf("%s %s %dx%d: %.2f GB/s per CPU-s, %.2f G weights/s per CPU-s%n", ty, path, rows, cols,
                                    w.byteSize() * calls / cpu / 1e9, (double) rows * cols * calls / cpu / 1e9);
                        }
                    }
                }
            }
        }
        pool.shutdown();
    }
}
