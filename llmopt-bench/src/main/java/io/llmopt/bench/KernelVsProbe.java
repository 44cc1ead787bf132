package io.llmopt.bench;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.ReadBandwidth;
import io.llmopt.tensor.kernel.WorkerPool;
import java.lang.foreign.Arena;

/**
 * A decode GEMV's read rate as a fraction of the read probe ({@link ReadBandwidth}, what {@code llmopt bench
 * --bandwidth} measures), in the same memory state: one JVM alternates a probe pass, passes of the GEMV over a
 * working set of copies of one random matrix (in the kernels' prepared form), and another probe pass, and reports
 * the GEMV's GB/s against the better of the two probes. The host's memory bandwidth swings between states (on the
 * Zen 5 host about 50 and 80 GB/s at two threads), so a GEMV and a probe measured in separate runs do not compare.
 * Usage:
 * {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp llmopt-bench/target/benchmarks.jar
 * io.llmopt.bench.KernelVsProbe TYPE ROWS COLS WORKING_SET_MIB THREADS REPETITIONS}, e.g. {@code F16 2048 5632 512 1 6}.
 */
public final class KernelVsProbe {
    private KernelVsProbe() {
    }

    public static void main(String[] a) {
        if (a.length != 6) {
            System.err.println("usage: KernelVsProbe TYPE ROWS COLS WORKING_SET_MIB THREADS REPETITIONS");
            System.exit(2);
        }
        GgmlType type = GgmlType.byName(a[0]);
        int rows = Integer.parseInt(a[1]), cols = Integer.parseInt(a[2]);
        long ws = Long.parseLong(a[3]) << 20;
        int threads = Integer.parseInt(a[4]), reps = Integer.parseInt(a[5]);
        Kernels k = KernelProvider.get();
        try (Arena arena = Arena.ofShared(); ReadBandwidth probe = new ReadBandwidth(1024)) {
            Tensor first = RandomMatrices.create(arena, type, rows, cols, 7);
            Tensor[] m = RandomMatrices.copies(arena, first, ws);
            for (int i = 0; i < m.length; i++) {
                m[i] = k.prepare(RandomMatrices.readOnly(m[i]));
            }
            WorkerPool pool = new WorkerPool(threads);
            float[] x = new float[cols];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(i);
            }
            float[] out = new float[rows];
            for (int w = 0; w < 3; w++) { // warm-up: both compiled before the first measurement
                for (Tensor t : m) {
                    k.matmul(t, x, 0, 1, out, 0, pool);
                }
                probe.measure(pool);
            }
            double sum = 0;
            for (int r = 0; r < reps; r++) {
                double before = probe.measure(pool);
                long t0 = System.nanoTime();
                int passes = 3;
                for (int q = 0; q < passes; q++) {
                    for (Tensor t : m) {
                        k.matmul(t, x, 0, 1, out, 0, pool);
                    }
                }
                double gemv = (double) first.data().byteSize() * m.length * passes / (System.nanoTime() - t0);
                double after = probe.measure(pool);
                double ratio = gemv / Math.max(before, after);
                sum += ratio;
                System.out.printf("probe %.1f GB/s, %s GEMV %.1f GB/s, probe %.1f GB/s: %.3f%n", before, type, gemv, after, ratio);
            }
            System.out.printf("%s %dx%d, %d threads, %d MiB: mean GEMV / probe %.3f%n", type, rows, cols, threads, ws >> 20, sum / reps);
            pool.shutdown();
        }
    }
}
