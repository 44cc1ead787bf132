package io.llmopt.engine;

import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Aggregate generated tokens per second of the engine at several concurrencies (opt-in, not a unit test:
 * {@code -Dllmopt.engine.bench=/path/model.gguf}, optionally {@code -Dllmopt.engine.bench.tokens=64},
 * {@code -Dllmopt.engine.bench.concurrency=1,8,16}, {@code -Dllmopt.engine.bench.threads=2},
 * {@code -Dllmopt.engine.bench.kv=f16|q8_0}, {@code -Dllmopt.engine.bench.ab=12}, {@code -Dllmopt.engine.bench.abTokens=16}). Every request has
 * an 8-token prompt and generates exactly {@code tokens} tokens (EOS ignored); the time runs from the first
 * submit to the last finish, so it includes prefill and queueing. Nothing is asserted.
 *
 * <p>Before that, {@code ab} alternating rounds compare the single-stream inter-token latency like for like: the
 * engine's (gaps between streamed tokens, so no prefill or queueing) against the contiguous
 * {@code LlamaModel} decode that {@code llmopt bench}/{@code generate} use, same prompt, same positions, same
 * thread count, same JVM; the gaps of all rounds are pooled per path and printed as quantiles.
 */
class EngineThroughputProbe {

    @Test
    void aggregateTokensPerSecond() {
        String path = System.getProperty("llmopt.engine.bench", "");
        if (path.isBlank()) {
            System.out.println("skipped: EngineThroughputProbe needs -Dllmopt.engine.bench=MODEL.gguf");
            Assumptions.abort("opt-in benchmark");
        }
        int tokens = Integer.getInteger("llmopt.engine.bench.tokens", 64);
        int threads = Integer.getInteger("llmopt.engine.bench.threads", Runtime.getRuntime().availableProcessors());
        String[] levels = System.getProperty("llmopt.engine.bench.concurrency", "1,8,16").split(",");
        LoadedModel model = ModelLoader.load(Path.of(path));
        int maxSeqs = 16;
        for (String l : levels) {
            maxSeqs = Math.max(maxSeqs, Integer.parseInt(l.trim()));
        }
        EngineConfig config = new EngineConfig(maxSeqs, 256, maxSeqs * ((8 + tokens) / 16 + 2), 16, 1024,
                Math.min(model.config().contextLength(), 1024), false, threads,
                io.llmopt.model.paged.KvCacheType.parse(System.getProperty("llmopt.engine.bench.kv", "f32")));
        try (BatchingEngine engine = BatchingEngine.start(model, config)) {
            run(engine, 1, Math.min(8, tokens)); // warm-up (JIT)
            compareSingleStream(engine, model, threads, Integer.getInteger("llmopt.engine.bench.ab", 12));
            double single = 0;
            for (String level : levels) {
                int c = Integer.parseInt(level.trim());
                double rate = run(engine, c, tokens);
                if (c == 1) {
                    single = rate;
                }
                System.out.printf(Locale.ROOT, "engine probe: concurrency %2d  %7.2f generated tok/s aggregate%s%n", c, rate,
                        single > 0 && c > 1 ? String.format(Locale.ROOT, "  (%.2fx single stream)", rate / single) : "");
            }
            System.out.println("engine probe: " + config.kvCacheType() + " KV, " + engine.stats() + ", load average " + loadAverage());
        }
    }

    /**
     * Alternates short engine and contiguous single-stream decodes and pools their inter-token gaps: on a shared
     * machine whose load comes and goes every few seconds, many short alternating rounds give both paths the same
     * mix of quiet and busy moments, so their quantiles are comparable where one long run each is not.
     */
    private static void compareSingleStream(BatchingEngine engine, LoadedModel model, int threads, int rounds) {
        int tokens = Integer.getInteger("llmopt.engine.bench.abTokens", 16);
        int v = model.config().vocabSize();
        int[] prompt = {1, 100 % v, 200 % v, 300 % v, 400 % v, 500 % v, 600 % v, 700 % v};
        WorkerPool pool = new WorkerPool(threads);
        try {
            LlamaModel contiguous = new LlamaModel(model.config(), model.weights(), KernelProvider.get(), pool);
            List<Double> e = new ArrayList<>();
            List<Double> c = new ArrayList<>();
            for (int r = -1; r < rounds; r++) { // round -1 warms the contiguous path up
                double[] eg = engineGaps(engine, prompt, tokens);
                double[] cg = contiguousGaps(contiguous, prompt, tokens);
                if (r >= 0) {
                    for (double g : eg) {
                        e.add(g);
                    }
                    for (double g : cg) {
                        c.add(g);
                    }
                }
            }
            System.out.printf(Locale.ROOT, "engine probe: single stream, %d alternating rounds of %d tokens after an %d-token prompt,"
                    + " inter-token ms p10 / p25 / median: engine %s, contiguous %s%n", rounds, tokens, prompt.length,
                    quantiles(e), quantiles(c));
        } finally {
            pool.shutdown();
        }
    }

    private static String quantiles(List<Double> values) {
        double[] s = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        if (s.length == 0) {
            return "none";
        }
        return String.format(Locale.ROOT, "%.2f / %.2f / %.2f", s[s.length / 10], s[s.length / 4], s[s.length / 2]);
    }

    private static double[] engineGaps(BatchingEngine engine, int[] prompt, int tokens) {
        long[] at = new long[tokens];
        int[] n = {0};
        java.util.concurrent.CompletableFuture<Completion> done = new java.util.concurrent.CompletableFuture<>();
        engine.submit(new EngineRequest(prompt, tokens, SamplingParams.greedy(), List.of(), -1, true), new TokenSink() {
            @Override
            public void onToken(GeneratedToken token) {
                at[n[0]++] = System.nanoTime();
            }

            @Override
            public void onFinish(Completion c) {
                done.complete(c);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        done.join();
        double[] gaps = new double[n[0] - 1];
        for (int i = 1; i < n[0]; i++) {
            gaps[i - 1] = (at[i] - at[i - 1]) / 1e6;
        }
        return gaps;
    }

    /** The same greedy decode through the contiguous cache; gaps measured the same way (forward + argmax). */
    private static double[] contiguousGaps(LlamaModel model, int[] prompt, int tokens) {
        int v = model.config().vocabSize();
        ForwardState state = model.newState(prompt.length + tokens, prompt.length);
        int[] ids = java.util.Arrays.copyOf(prompt, prompt.length + tokens);
        float[] logits = model.forward(state, ids, 0, prompt.length, 0, false);
        ids[prompt.length] = argmax(logits, v);
        long last = System.nanoTime();
        double[] gaps = new double[tokens - 1];
        for (int i = 1; i < tokens; i++) {
            int pos = prompt.length + i - 1;
            logits = model.forward(state, ids, pos, 1, pos, false);
            ids[pos + 1] = argmax(logits, v);
            long now = System.nanoTime();
            gaps[i - 1] = (now - last) / 1e6;
            last = now;
        }
        return gaps;
    }

    private static int argmax(float[] logits, int v) {
        int best = 0;
        for (int i = 1; i < v; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double run(BatchingEngine engine, int concurrency, int tokens) {
        List<CollectingSink> sinks = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < concurrency; i++) {
            int v = engine.model().config().vocabSize();
            int[] prompt = {1, (100 + i) % v, (200 + i) % v, 300 % v, 400 % v, (500 + i) % v, 600 % v, 700 % v};
            CollectingSink sink = new CollectingSink();
            engine.submit(new EngineRequest(prompt, tokens, SamplingParams.greedy(), List.of(), -1, true), sink);
            sinks.add(sink);
        }
        long generated = 0;
        for (CollectingSink s : sinks) {
            generated += s.await(3600).completionTokens();
        }
        return generated * 1e9 / (System.nanoTime() - t0);
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
