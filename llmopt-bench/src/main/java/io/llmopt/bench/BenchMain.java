package io.llmopt.bench;

import io.llmopt.tensor.GgmlType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs JMH with its usual command line (e.g. {@code KernelBench -p type=Q4_0,Q8_0 -p batch=1,64}) and then
 * prints every result as GB/s of weight bytes (or of memory, for the ceiling) and GFLOP/s, the units in
 * which each kernel's distance to the machine's limits is read. The forked benchmark JVMs always get the flags the
 * kernels need ({@link #FORK_FLAGS}): without {@code --add-modules jdk.incubator.vector} they fall back to the scalar
 * kernels and every vector figure is silently a scalar one (AttentionBench read 13 ns per row instead of 1.5 when
 * started as plain {@code java -jar benchmarks.jar}, 2026-11-24).
 */
public final class BenchMain {
    private BenchMain() {
    }

    /**
     * Appended to the forks' command line (after the user's own {@code -jvmArgsAppend}); Tier3DelayOn as the
     * launcher's, so that no kernel is left in C1 code (the launcher says why).
     */
    static final List<String> FORK_FLAGS = List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-XX:Tier3DelayOn=100000");

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        List<String> append = new ArrayList<>(cli.getJvmArgsAppend().orElse(List.of()));
        append.addAll(FORK_FLAGS);
        Options options = new OptionsBuilder().parent(cli).jvmArgsAppend(append.toArray(String[]::new)).build();
        Collection<RunResult> results = new Runner(options).run();
        System.out.println();
        System.out.println("| benchmark | params | ops/s | GB/s | GFLOP/s |");
        System.out.println("|---|---|---:|---:|---:|");
        for (RunResult rr : results) {
            String name = rr.getParams().getBenchmark();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            Map<String, String> p = new TreeMap<>();
            for (String k : rr.getParams().getParamsKeys()) {
                p.put(k, rr.getParams().getParam(k));
            }
            double ops = rr.getPrimaryResult().getScore();
            double err = rr.getPrimaryResult().getScoreError();
            double bytes = 0;
            double flops = 0;
            if (name.endsWith("memoryRead")) {
                bytes = MachineCeilings.bytesPerOp(Integer.parseInt(p.get("sizeMiB")));
            } else if (name.endsWith("vnni")) {
                flops = io.llmopt.tensor.kernel.Int8Ceiling.available() ? MachineCeilings.int8OpsPerOp(Integer.parseInt(p.get("threads"))) : 0;
            } else if (name.endsWith("fma")) {
                flops = MachineCeilings.flopsPerOp(Integer.parseInt(p.get("threads")));
            } else if (p.containsKey("shape")) {
                long rows = KernelBench.rows(p.get("shape"));
                long cols = KernelBench.cols(p.get("shape"));
                bytes = GgmlType.byName(p.get("type")).byteSize(rows * cols);
                flops = 2.0 * rows * cols * Integer.parseInt(p.get("batch"));
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %.2f ± %.2f | %s | %s |%n", name, p, ops, Double.isNaN(err) ? 0 : err,
                    bytes > 0 ? String.format(Locale.ROOT, "%.2f", ops * bytes / 1e9) : "",
                    flops > 0 ? String.format(Locale.ROOT, "%.2f", ops * flops / 1e9) : "");
        }
    }
}
