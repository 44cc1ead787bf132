package io.llmopt.bench;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.foreign.Arena;

/**
 * Kernel throughput per CPU-second of the calling thread, for measurements on a loaded machine (JMH's wall-clock
 * numbers follow the load; CPU time mostly does not). Usage:
 * {@code java --add-modules jdk.incubator.vector -cp llmopt-bench/target/benchmarks.jar io.llmopt.bench.CpuTimeBench
 * TYPES ROWS COLS BATCH WORKING_SET_MIB THREADS CPU_SECONDS}, e.g. {@code Q4_0,Q4_K 512 2048 1 0 1 2}. Warm-up is
 * 2.5 CPU-seconds per type. Weights run in the kernels' prepared form (e.g. lane-packed Q4_0, row-interleaved Q8_0);
 * a type written {@code Q8_0:raw} keeps the GGUF layout, {@code F16:panels} takes the column-panel form even where
 * prepare would not choose it (e.g. writable float matrices). With THREADS > 1 only the wall-clock column means anything (the per-CPU-second one
 * counts the caller's thread only).
 */
public final class CpuTimeBench {
    private CpuTimeBench() {
    }

    public static void main(String[] a) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        String[] types = a[0].split(",");
        int rows = Integer.parseInt(a[1]), cols = Integer.parseInt(a[2]), batch = Integer.parseInt(a[3]);
        long ws = Long.parseLong(a[4]) << 20;
        int threads = Integer.parseInt(a[5]);
        double secs = Double.parseDouble(a[6]);
        Kernels k = KernelProvider.get();
        for (String ty : types) {
            boolean raw = ty.endsWith(":raw"); // keep the GGUF layout (no execution form from Kernels.prepare)
            boolean panels = ty.endsWith(":panels"); // force the column-panel form
            GgmlType type = GgmlType.byName(raw ? ty.substring(0, ty.length() - 4) : panels ? ty.substring(0, ty.length() - 7) : ty);
            try (Arena arena = Arena.ofShared()) {
                Tensor first = RandomMatrices.create(arena, type, rows, cols, 7);
                Tensor[] ws2 = RandomMatrices.copies(arena, first, ws);
                for (int i = 0; i < ws2.length && !raw; i++) {
                    ws2[i] = panels ? ws2[i].withPacked(io.llmopt.tensor.ColumnPanels.pack(ws2[i], jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length()))
                            : k.prepare(RandomMatrices.readOnly(ws2[i])); // as mapped from a file: float matrices get forms only read-only
                }
                WorkerPool pool = new WorkerPool(threads);
                float[] x = new float[batch * cols];
                for (int i = 0; i < x.length; i++) x[i] = (float) Math.sin(i);
                float[] out = new float[batch * rows];
                int n = 0;
                long cw0 = mx.getCurrentThreadCpuTime();
                while (mx.getCurrentThreadCpuTime() - cw0 < 2_500_000_000L) { k.matmul(ws2[n++ % ws2.length], x, 0, batch, out, 0, pool); }
                long c0 = mx.getCurrentThreadCpuTime();
                long w0 = System.nanoTime();
                int calls = 0;
                while (mx.getCurrentThreadCpuTime() - c0 < secs * 1e9) { k.matmul(ws2[n++ % ws2.length], x, 0, batch, out, 0, pool); calls++; }
                double cpu = (mx.getCurrentThreadCpuTime() - c0) / 1e9, wall = (System.nanoTime() - w0) / 1e9;
                double bytes = (double) first.data().byteSize() * calls;
                double flops = 2.0 * rows * cols * batch * calls;
                System.out.printf("%-5s %dx%d b=%d t=%d ws=%dMiB: %.2f GB/s/cpu-s (wall %.2f GB/s), %.1f GFLOP/s/cpu-s (wall %.1f), calls %d%n",
                        ty, rows, cols, batch, threads, ws >> 20, bytes / cpu / 1e9, bytes / wall / 1e9, flops / cpu / 1e9, flops / wall / 1e9, calls);
                pool.shutdown();
            }
        }
    }
}
