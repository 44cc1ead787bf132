package io.llmopt.cli;

import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.ReadBandwidth;
import io.llmopt.tensor.kernel.WorkerPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code llmopt bench}: prompt processing (pp: one batch of N random tokens), token generation (tg: N tokens one
 * at a time) and both in turn (pg: {@code -pg PP,TG}), from an empty cache or after {@code -d} tokens already in
 * it, like llama.cpp's llama-bench — warm-up runs ({@code --warmup}, reported in the JSON), then {@code -r}
 * repetitions; tokens/s is averaged over repetitions with its standard deviation.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure prompt processing (pp) and token generation (tg) speed, like llama-bench.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "model (GGUF, HF directory, llama2.c .bin)")
    Path model;

    @Option(names = {"-p", "--n-prompt"}, paramLabel = "N", split = ",", description = "prompt sizes, 0 to skip (default: ${DEFAULT-VALUE})")
    List<Integer> prompt = List.of(512);

    @Option(names = {"-n", "--n-gen"}, paramLabel = "N", split = ",", description = "generation lengths, 0 to skip (default: ${DEFAULT-VALUE})")
    List<Integer> gen = List.of(128);

    @Option(names = {"-pg", "--prompt-gen"}, paramLabel = "PP,TG", description = "a prompt of PP tokens, then TG tokens "
            + "generated one at a time, timed together as one test \"ppPP+tgTG\" (like llama-bench -pg; repeatable)")
    List<String> promptGen = List.of();

    @Option(names = {"-d", "--n-depth"}, paramLabel = "N", split = ",", description = "run every test after N tokens already "
            + "in the KV cache (filled once per test, unmeasured, by a prompt of random tokens; the tests are named "
            + "\"tg128 @ d2048\" etc.; default: ${DEFAULT-VALUE})")
    List<Integer> depth = List.of(0);

    @Option(names = {"-t", "--threads"}, paramLabel = "N", split = ",", description = "thread counts (default: all cores)")
    List<Integer> threads = List.of(Runtime.getRuntime().availableProcessors());

    @Option(names = {"-b", "--batch-size"}, paramLabel = "N", description = "tokens per forward call in pp (default: ${DEFAULT-VALUE})")
    int batch = 512;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", description = "repetitions (default: ${DEFAULT-VALUE})")
    int repetitions = 5;

    @Option(names = "--warmup", paramLabel = "N", description = "unmeasured runs before the repetitions of each test "
            + "(default: ${DEFAULT-VALUE}: in pp the last token's output matrix runs once per run, so the JIT is still compiling "
            + "its kernels during the first runs; their tokens/s are in the JSON as warmup_tokens_per_second)")
    int warmup = 3;

    @Option(names = "--bandwidth", description = "in tg tests, also measure the machine's streaming read bandwidth "
            + "(a 1 GiB probe on the same threads, best of 3 passes right before each repetition) and report the "
            + "weights' GB/s as a fraction of it")
    boolean bandwidth;

    @Option(names = "--bandwidth-mib", hidden = true, paramLabel = "MIB", description = "size of the read probe (default: ${DEFAULT-VALUE})")
    int bandwidthMib = 1024;

    @Option(names = "--json", description = "print a JSON list of results")
    boolean json;

    @Option(names = "--md", description = "print a Markdown table (default output)")
    boolean md;

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;

    @Mixin
    SparseOptions sparse = new SparseOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (repetitions < 1 || batch < 1) {
            throw new LlmoptException("-r and -b must be >= 1");
        }
        if (warmup < 0) {
            throw new LlmoptException("--warmup must be >= 0, got " + warmup);
        }
        List<int[]> pgs = new ArrayList<>();
        for (String pg : promptGen) {
            pgs.add(promptGen(pg));
        }
        for (int d : depth) {
            if (d < 0) {
                throw new LlmoptException("-d must be >= 0, got " + d);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        List<Map<String, Object>> results = new ArrayList<>();
        try (LoadedModel opened = ModelLoader.load(model); ReadBandwidth probe = bandwidth ? new ReadBandwidth(bandwidthMib) : null) {
            LoadedModel loaded = sparse.apply(opened, spec.commandLine().getErr());
            String type = modelType(loaded);
            for (int t : threads) {
                if (t < 1) {
                    throw new LlmoptException("-t must be >= 1, got " + t);
                }
                WorkerPool pool = new WorkerPool(t);
                try {
                    LlamaModel m = new LlamaModel(loaded.config(), loaded.weights(), KernelProvider.get(), pool);
                    for (int d : depth) {
                        for (int p : prompt) {
                            if (p > 0) {
                                results.add(result(name("pp" + p, d), run(m, d, p, 0, null, null), t, p, 0, d, type, loaded));
                            }
                        }
                        for (int n : gen) {
                            if (n > 0) {
                                double[] ceilings = probe == null ? null : new double[repetitions];
                                Map<String, Object> r = result(name("tg" + n, d), run(m, d, 0, n, probe, ceilings), t, 0, n, d, type, loaded);
                                decodeBandwidth(r, weightBytesPerToken(loaded), ceilings);
                                results.add(r);
                            }
                        }
                        for (int[] pg : pgs) {
                            String test = name("pp" + pg[0] + "+tg" + pg[1], d);
                            results.add(result(test, run(m, d, pg[0], pg[1], null, null), t, pg[0], pg[1], d, type, loaded));
                        }
                    }
                } finally {
                    pool.shutdown();
                }
                if (!json) {
                    spec.commandLine().getErr().printf("threads %d done%n", t);
                }
            }
        }
        if (json) {
            out.println(Json.write(results));
        } else {
            out.println("| model | size | params | backend | threads | test | t/s |");
            out.println("| --- | ---: | ---: | --- | ---: | ---: | ---: |");
            for (Map<String, Object> r : results) {
                out.printf("| %s | %.2f MiB | %.2f M | %s | %d | %s | %.2f ± %.2f |%n", r.get("model_type"),
                        (Long) r.get("model_bytes") / (double) (1L << 20), (Long) r.get("model_params") / 1e6,
                        r.get("backend"), (Integer) r.get("threads"), r.get("test"), (Double) r.get("tokens_per_second"),
                        (Double) r.get("stddev"));
            }
            for (Map<String, Object> r : results) {
                if (r.containsKey("weights_gb_per_second")) {
                    out.printf("%s, %d threads: weights %.1f MB/token, %.2f GB/s", r.get("test"), (Integer) r.get("threads"),
                            (Long) r.get("weight_bytes_per_token") / 1e6, (Double) r.get("weights_gb_per_second"));
                    if (r.containsKey("read_ceiling_gb_per_second")) {
                        out.printf(" = %.1f ± %.1f %% of the streaming read bandwidth measured between repetitions (%.2f ± %.2f GB/s)",
                                100 * (Double) r.get("ceiling_fraction"), 100 * (Double) r.get("ceiling_fraction_stddev"),
                                (Double) r.get("read_ceiling_gb_per_second"), (Double) r.get("read_ceiling_stddev"));
                    }
                    out.println();
                }
            }
            out.printf("peak RSS: %.1f MiB%n", peakRss() / (double) (1 << 20));
        }
        out.flush();
        return 0;
    }

    /** "tg128", or with a depth "tg128 @ d2048" (llama-bench's names). */
    private static String name(String test, int depth) {
        return depth == 0 ? test : test + " @ d" + depth;
    }

    /** Parses a -pg value "PP,TG" (both >= 1). */
    static int[] promptGen(String value) {
        String[] parts = value.split(",", -1);
        try {
            if (parts.length == 2) {
                int pp = Integer.parseInt(parts[0].trim()), tg = Integer.parseInt(parts[1].trim());
                if (pp >= 1 && tg >= 1) {
                    return new int[] {pp, tg};
                }
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new LlmoptException("-pg expects PP,TG with two token counts >= 1 (e.g. -pg 512,128), got '" + value + "'");
    }

    /**
     * Seconds of each run: the {@link #warmup} runs first, then the repetitions. A run processes a prompt of
     * {@code pp} tokens as one batch (chunks of {@link #batch}), then generates {@code tg} tokens one at a time, all
     * after {@code depth} tokens put in the cache once beforehand (each run overwrites only the positions after
     * them). With a probe, ceilings[r] receives the best read bandwidth of three passes made right before
     * repetition r.
     */
    private double[] run(LlamaModel m, int depth, int pp, int tg, ReadBandwidth probe, double[] ceilings) {
        int n = pp + tg;
        int[] tokens = randomTokens(n, 1234, m.config().vocabSize());
        ForwardState s = m.newState(depth + n, Math.max(1, Math.min(batch, Math.max(depth, pp))));
        if (depth > 0) {
            m.forward(s, randomTokens(depth, 4321, m.config().vocabSize()), 0, depth, 0, false);
        }
        double[] seconds = new double[warmup + repetitions];
        for (int k = 0; k < seconds.length; k++) {
            int r = k - warmup;
            if (probe != null && r >= 0) {
                ceilings[r] = probe.best(m.pool(), 3);
            }
            long t0 = System.nanoTime();
            if (pp > 0) {
                m.forward(s, tokens, 0, pp, depth, false);
            }
            for (int i = pp; i < n; i++) {
                m.forward(s, tokens, i, 1, depth + i, false);
            }
            seconds[k] = (System.nanoTime() - t0) / 1e9;
        }
        return seconds;
    }

    private static int[] randomTokens(int n, long seed, int vocab) {
        int[] tokens = new int[n];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < n; i++) {
            tokens[i] = random.nextInt(vocab);
        }
        return tokens;
    }

    private Map<String, Object> result(String test, double[] runs, int threads, int nPrompt, int nGen, int nDepth, String type,
            LoadedModel loaded) {
        int n = nPrompt + nGen;
        double[] seconds = java.util.Arrays.copyOfRange(runs, warmup, runs.length);
        double[] warm = new double[warmup];
        for (int i = 0; i < warmup; i++) {
            warm[i] = n / runs[i];
        }
        double mean = 0;
        double[] tps = new double[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            tps[i] = n / seconds[i];
            mean += tps[i];
        }
        mean /= tps.length;
        double var = 0;
        for (double v : tps) {
            var += (v - mean) * (v - mean);
        }
        double std = tps.length > 1 ? Math.sqrt(var / (tps.length - 1)) : 0;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("test", test);
        r.put("tokens_per_second", mean);
        r.put("stddev", std);
        r.put("samples_tokens_per_second", tps);
        r.put("warmup_runs", warmup);
        r.put("warmup_tokens_per_second", warm);
        r.put("n_prompt", nPrompt);
        r.put("n_gen", nGen);
        r.put("n_depth", nDepth);
        r.put("threads", threads);
        r.put("model_type", type);
        r.put("model_bytes", loaded.fileBytes());
        r.put("model_params", loaded.config().parameterCount());
        r.put("backend", "jvm-" + KernelProvider.get().name());
        r.put("repetitions", repetitions);
        r.put("peak_rss_bytes", peakRss());
        return r;
    }

    /**
     * Bytes of the file's weights one decoded token reads: every layer matrix and the output matrix once, plus
     * one row of the token embedding (none extra when the output matrix is the embedding).
     */
    static long weightBytesPerToken(LoadedModel m) {
        LlamaWeights w = m.weights();
        long bytes = w.weightBytes() - w.tokenEmbedding().byteSize();
        if (w.output() == w.tokenEmbedding()) {
            bytes += w.output().byteSize();
        } else {
            bytes += w.tokenEmbedding().byteSize() / w.tokenEmbedding().dim(0);
        }
        return bytes;
    }

    /** Adds the weights' read rate (bytes per token × tokens/s) and, with ceilings, its fraction of them. */
    private static void decodeBandwidth(Map<String, Object> r, long bytesPerToken, double[] ceilings) {
        double[] tps = (double[]) r.get("samples_tokens_per_second");
        double[] gbs = new double[tps.length];
        for (int i = 0; i < tps.length; i++) {
            gbs[i] = bytesPerToken * tps[i] / 1e9;
        }
        r.put("weight_bytes_per_token", bytesPerToken);
        r.put("weights_gb_per_second", mean(gbs));
        if (ceilings != null) {
            double[] fraction = new double[tps.length];
            for (int i = 0; i < tps.length; i++) {
                fraction[i] = gbs[i] / ceilings[i];
            }
            r.put("read_ceiling_gb_per_second", mean(ceilings));
            r.put("read_ceiling_stddev", stddev(ceilings));
            r.put("samples_read_ceiling_gb_per_second", ceilings);
            r.put("ceiling_fraction", mean(fraction));
            r.put("ceiling_fraction_stddev", stddev(fraction));
        }
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double stddev(double[] v) {
        if (v.length < 2) {
            return 0;
        }
        double m = mean(v), s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }

    /** "llama 1.1B Q4_0"-style label: architecture, size, the most common matrix type. */
    private static String modelType(LoadedModel m) {
        Map<GgmlType, Long> bytes = new LinkedHashMap<>();
        for (Tensor t : m.fileTensors()) {
            if (t.rank() == 2) {
                bytes.merge(t.type(), t.byteSize(), Long::sum);
            }
        }
        GgmlType main = bytes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(GgmlType.F32);
        long p = m.config().parameterCount();
        String size = p >= 1e9 ? String.format("%.1fB", p / 1e9) : String.format("%.0fM", p / 1e6);
        return m.config().architecture() + " " + size + " " + main;
    }

    /** Peak resident set size of this process (VmHWM), or -1 where /proc is unavailable. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
