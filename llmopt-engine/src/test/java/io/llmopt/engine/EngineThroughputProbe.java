package io.llmopt.engine;

import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.sampling.SamplingParams;
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
 * {@code -Dllmopt.engine.bench.kv=f16|q8_0}). Every request has
 * an 8-token prompt and generates exactly {@code tokens} tokens (EOS ignored); the time runs from the first
 * submit to the last finish, so it includes prefill and queueing. Nothing is asserted.
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
