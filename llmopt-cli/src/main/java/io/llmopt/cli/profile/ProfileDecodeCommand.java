package io.llmopt.cli.profile;

import io.llmopt.cli.Json;
import io.llmopt.model.ForwardProfile;
import io.llmopt.model.ForwardProfile.Stage;
import io.llmopt.model.ForwardState;
import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code llmopt profile-decode}: where one decoded token's time goes. Runs {@code -n} tokens one at a time
 * (like {@code bench}'s tg, after a warm-up run; with {@code --prompt} as one prefill batch, like pp) with a {@link ForwardProfile} installed and prints wall
 * time per token by stage, the matmuls by weight type and shape (with GB/s of weights read), the pool's
 * dispatches and barrier wait per token, the CPU time of the caller and the kernel threads per token
 * (on a loaded machine CPU time is the steadier figure), and the cost of an empty pool dispatch.
 */
@Command(name = "profile-decode", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Split one decoded token's time by stage, weight type and thread synchronization.")
public final class ProfileDecodeCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "model (GGUF, HF directory, llama2.c .bin)")
    Path model;

    @Option(names = {"-n", "--n-gen"}, paramLabel = "N", description = "tokens per run (default: ${DEFAULT-VALUE})")
    int tokens = 64;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "threads (default: ${DEFAULT-VALUE})")
    int threads = 2;

    @Option(names = {"-r", "--repetitions"}, paramLabel = "N", description = "measured runs after one warm-up (default: ${DEFAULT-VALUE})")
    int repetitions = 3;

    @Option(names = {"-d", "--n-depth"}, paramLabel = "N", description = "profile after N tokens already in the KV cache "
            + "(filled once, unprofiled, by a prompt of random tokens; default: ${DEFAULT-VALUE})")
    int depth;

    @Option(names = "--prompt", description = "process the N tokens as one prompt batch (prefill, like bench's pp) instead of one at a time; "
            + "figures are then per prompt token")
    boolean prompt;

    @Option(names = "--json", description = "print one JSON object (summary, stages, matmuls) instead of the tables")
    boolean json;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProfileDecodeCommand()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (tokens < 1 || threads < 1 || repetitions < 1) {
            throw new LlmoptException("-n, -t and -r must be >= 1");
        }
        if (depth < 0) {
            throw new LlmoptException("-d must be >= 0, got " + depth);
        }
        PrintWriter out = spec.commandLine().getOut();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (LoadedModel loaded = ModelLoader.load(model)) {
            WorkerPool pool = new WorkerPool(threads);
            try {
                LlamaModel m = new LlamaModel(loaded.config(), loaded.weights(), KernelProvider.get(), pool);
                int layers = loaded.config().numLayers();
                ForwardProfile profile = new ForwardProfile(layers);
                m.setProfile(profile);
                int[] ids = new int[tokens];
                SplittableRandom random = new SplittableRandom(1234);
                for (int i = 0; i < tokens; i++) {
                    ids[i] = random.nextInt(loaded.config().vocabSize());
                }
                ForwardState s = m.newState(depth + tokens, prompt ? tokens : Math.max(1, Math.min(512, depth)));
                if (depth > 0) { // positions 0 .. depth−1, before the profile's first reset
                    int[] fill = new int[depth];
                    for (int i = 0; i < depth; i++) {
                        fill[i] = random.nextInt(loaded.config().vocabSize());
                    }
                    m.forward(s, fill, 0, depth, 0, false);
                }
                long wall = 0, callerCpu = 0, workerCpu = 0, dispatches = 0, barrier = 0;
                for (int r = -1; r < repetitions; r++) {
                    if (r == 0) {
                        profile.reset();
                    }
                    long d0 = pool.dispatches(), b0 = pool.barrierNanos();
                    long c0 = mx.getCurrentThreadCpuTime(), k0 = kernelThreadsCpu(mx), w0 = System.nanoTime();
                    if (prompt) {
                        profile.start();
                        m.forward(s, ids, 0, tokens, depth, false);
                    } else {
                        for (int i = 0; i < tokens; i++) {
                            profile.start();
                            m.forward(s, ids, i, 1, depth + i, false);
                        }
                    }
                    if (r >= 0) {
                        wall += System.nanoTime() - w0;
                        callerCpu += mx.getCurrentThreadCpuTime() - c0;
                        workerCpu += kernelThreadsCpu(mx) - k0;
                        dispatches += pool.dispatches() - d0;
                        barrier += pool.barrierNanos() - b0;
                    }
                }
                long n = (long) tokens * repetitions;
                double empty = emptyDispatchNanos(pool);
                List<Map<String, Object>> stages = stages(profile, layers, wall, n);
                List<Map<String, Object>> matmuls = matmuls(profile, loaded, layers, n, prompt ? tokens : 1);
                if (json) {
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("model", model.getFileName().toString());
                    r.put("threads", threads);
                    r.put("kernels", KernelProvider.get().name());
                    r.put("tokens", tokens);
                    r.put("prompt", prompt);
                    r.put("depth", depth);
                    r.put("repetitions", repetitions);
                    r.put("ms_per_token", wall / 1e6 / n);
                    r.put("tokens_per_second", n / (wall / 1e9));
                    r.put("caller_cpu_ms_per_token", callerCpu / 1e6 / n);
                    r.put("kernel_threads_cpu_ms_per_token", workerCpu / 1e6 / n);
                    r.put("dispatches_per_token", dispatches / (double) n);
                    r.put("barrier_wait_ms_per_token", barrier / 1e6 / n);
                    r.put("empty_dispatch_us", empty / 1e3);
                    r.put("stages", stages);
                    r.put("matmuls", matmuls);
                    out.println(Json.write(r));
                } else {
                    out.printf("model %s, %d threads, %s, %d tokens × %d runs (positions %d..%d%s)%n", model.getFileName(),
                            threads, KernelProvider.get().name(), tokens, repetitions, depth, depth + tokens - 1,
                            prompt ? ", one prompt batch" : "");
                    out.printf("wall %.2f ms/token (%.2f t/s); CPU per token: caller %.2f ms, kernel threads %.2f ms%n",
                            wall / 1e6 / n, n / (wall / 1e9), callerCpu / 1e6 / n, workerCpu / 1e6 / n);
                    out.printf("pool: %.1f dispatches/token, caller waited at the barrier %.3f ms/token (%.1f µs per dispatch)%n",
                            dispatches / (double) n, barrier / 1e6 / n, barrier / 1e3 / Math.max(1, dispatches));
                    out.printf("empty dispatch (pool.run of %d no-op chunks, caller included): %.2f µs%n", 2 * threads, empty / 1e3);
                    out.println();
                    out.println("| stage | ms/token | share |");
                    out.println("| --- | ---: | ---: |");
                    for (Map<String, Object> st : stages) {
                        out.printf("| %s | %.3f | %.1f %% |%n", st.get("stage"), st.get("ms_per_token"), st.get("share_percent"));
                    }
                    out.println();
                    out.println("| matmul (type rows×cols) | layers | ms/token | MB/token | GB/s | GFLOP/s |");
                    out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
                    for (Map<String, Object> mm : matmuls) {
                        out.printf("| %s | %d | %.3f | %.1f | %.2f | %.1f |%n", mm.get("matmul"), mm.get("layers"), mm.get("ms_per_token"),
                                mm.get("mb_per_token"), mm.get("gb_per_second"), mm.get("gflop_per_second"));
                    }
                }
            } finally {
                pool.shutdown();
            }
        }
        out.flush();
        return 0;
    }

    private static List<Map<String, Object>> stages(ForwardProfile p, int layers, long wall, long n) {
        List<Map<String, Object>> rows = new ArrayList<>();
        long sum = 0;
        for (Stage st : Stage.values()) {
            long t = 0;
            for (int l = -1; l < layers; l++) {
                t += p.nanos(st, l);
            }
            sum += t;
            if (t > 0) {
                rows.add(stageRow(st.toString(), t, wall, n));
            }
        }
        rows.add(stageRow("(between tokens: sampling-free loop, profile overhead)", wall - sum, wall, n));
        return rows;
    }

    private static Map<String, Object> stageRow(String name, long nanos, long wall, long n) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("stage", name);
        r.put("ms_per_token", nanos / 1e6 / n);
        r.put("share_percent", 100.0 * nanos / wall);
        return r;
    }

    /** Matmul rows; {@code batch} tokens share one read of the weights (1 in decode, N for a prompt). */
    private static List<Map<String, Object>> matmuls(ForwardProfile p, LoadedModel loaded, int layers, long n, int batch) {
        Map<String, long[]> rows = new LinkedHashMap<>(); // key -> {nanos, bytes per read, count, weights}
        for (Stage st : Stage.values()) {
            if (!st.isMatmul()) {
                continue;
            }
            for (int l = -1; l < layers; l++) {
                long t = p.nanos(st, l);
                if (t == 0) {
                    continue;
                }
                StringBuilder key = new StringBuilder(st.toString()).append(' ');
                long bytes = 0, params = 0;
                for (Tensor w : weights(loaded, st, l)) {
                    key.append(bytes == 0 ? "" : " + ").append(w.type()).append(' ').append(w.dim(0)).append('x').append(w.dim(1));
                    bytes += w.byteSize();
                    params += w.dim(0) * w.dim(1);
                }
                long[] acc = rows.computeIfAbsent(key.toString(), k -> new long[4]);
                acc[0] += t;
                acc[1] += bytes;
                acc[2]++;
                acc[3] += st == Stage.OUTPUT ? params : params * batch; // a prompt's logits are computed for its last token only
            }
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (Map.Entry<String, long[]> e : rows.entrySet()) {
            long[] a = e.getValue();
            double ms = a[0] / 1e6 / n;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("matmul", e.getKey());
            r.put("layers", (int) a[2]);
            r.put("ms_per_token", ms);
            r.put("mb_per_token", a[1] / 1e6 / batch);
            r.put("gb_per_second", a[1] / 1e6 / batch / ms);
            r.put("gflop_per_second", 2.0 * a[3] / batch / 1e6 / ms);
            list.add(r);
        }
        return list;
    }

    private static Tensor[] weights(LoadedModel m, Stage st, int l) {
        if (st == Stage.OUTPUT) {
            return new Tensor[] {m.weights().output()};
        }
        LayerWeights w = m.weights().layers().get(l);
        return switch (st) {
            case ATTN_Q -> new Tensor[] {w.wq()};
            case ATTN_K -> new Tensor[] {w.wk()};
            case ATTN_V -> new Tensor[] {w.wv()};
            case ATTN_QKV -> new Tensor[] {w.wq(), w.wk(), w.wv()};
            case ATTN_OUT -> new Tensor[] {w.wo()};
            case FFN_GATE -> new Tensor[] {w.gate()};
            case FFN_UP -> new Tensor[] {w.up()};
            case FFN_GATE_UP -> new Tensor[] {w.gate(), w.up()};
            case FFN_DOWN -> new Tensor[] {w.down()};
            default -> new Tensor[0];
        };
    }

    /** CPU time of the pool's kernel threads (named llmopt-kernel-*), summed. */
    private static long kernelThreadsCpu(ThreadMXBean mx) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("llmopt-kernel-")) {
                sum += Math.max(0, mx.getThreadCpuTime(t.threadId()));
            }
        }
        return sum;
    }

    /** Mean wall time of a pool.run whose chunks do nothing (the fixed cost of one dispatch + barrier). */
    private static double emptyDispatchNanos(WorkerPool pool) {
        int chunks = 2 * pool.threads();
        long[] sink = new long[1];
        for (int i = 0; i < 20_000; i++) {
            pool.run(chunks, 1, (w, from, to) -> sink[0] += to - from);
        }
        int calls = 50_000;
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            pool.run(chunks, 1, (w, from, to) -> sink[0] += to - from);
        }
        return (System.nanoTime() - t0) / (double) calls;
    }
}
