package io.llmopt.bench;

import io.llmopt.tensor.GgmlType;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;

/**
 * Runs JMH with its usual command line (e.g. {@code KernelBench -p type=Q4_0,Q8_0 -p batch=1,64}) and then
 * prints every result as GB/s of weight bytes (or of memory, for the ceiling) and GFLOP/s, the units in
 * which each kernel's distance to the machine's limits is read.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Options options = new CommandLineOptions(args);
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
