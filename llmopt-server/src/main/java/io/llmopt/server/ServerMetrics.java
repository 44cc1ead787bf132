package io.llmopt.server;

import io.llmopt.engine.InferenceEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's Prometheus metrics (names as exported):
 * <ul>
 *   <li>{@code llmopt_requests_total{route,status}}, {@code llmopt_requests_in_flight}
 *   <li>{@code llmopt_prompt_tokens_total{model}}, {@code llmopt_generation_tokens_total{model}}
 *   <li>histograms {@code llmopt_time_to_first_token_seconds}, {@code llmopt_inter_token_latency_seconds},
 *       {@code llmopt_e2e_request_latency_seconds} (per model, fixed buckets from 1 ms to minutes)
 *   <li>engine gauges per model, read from {@link InferenceEngine#stats()} at scrape time:
 *       {@code llmopt_requests_waiting}, {@code llmopt_requests_running}, {@code llmopt_kv_blocks_used},
 *       {@code llmopt_kv_blocks_capacity}, {@code llmopt_kv_blocks_cached}, {@code llmopt_prefix_cache_hit_rate},
 *       {@code llmopt_preemptions_total}, {@code llmopt_engine_steps_total}
 * </ul>
 */
public final class ServerMetrics {
    private static final Duration[] TTFT_BUCKETS = millis(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000);
    private static final Duration[] ITL_BUCKETS = millis(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2500, 5000);
    private static final Duration[] E2E_BUCKETS = millis(50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000, 300000);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger inFlight = new AtomicInteger();

    public ServerMetrics() {
        Gauge.builder("llmopt.requests.in.flight", inFlight, AtomicInteger::get)
                .description("HTTP requests being handled").register(registry);
    }

    /** Registers the engine gauges of one served model. */
    public void register(ServedModel m) {
        InferenceEngine e = m.engine();
        String model = m.name();
        Gauge.builder("llmopt.requests.waiting", e, x -> x.stats().waiting()).tag("model", model)
                .description("requests queued in the engine, not yet running").register(registry);
        Gauge.builder("llmopt.requests.running", e, x -> x.stats().running()).tag("model", model)
                .description("sequences in the running batch").register(registry);
        Gauge.builder("llmopt.kv.blocks.used", e, x -> x.stats().kvBlocksUsed()).tag("model", model)
                .description("KV cache blocks referenced by running sequences").register(registry);
        Gauge.builder("llmopt.kv.blocks.capacity", e, x -> x.stats().kvBlocksTotal()).tag("model", model)
                .description("KV cache blocks in the pool").register(registry);
        Gauge.builder("llmopt.kv.blocks.cached", e, x -> x.stats().kvBlocksCached()).tag("model", model)
                .description("free KV blocks still holding reusable prefix content").register(registry);
        Gauge.builder("llmopt.prefix.cache.hit.rate", e, x -> x.stats().prefixHitRate()).tag("model", model)
                .description("prompt tokens served from the prefix cache / prompt tokens looked up").register(registry);
        FunctionCounter.builder("llmopt.preemptions", e, x -> x.stats().preemptions()).tag("model", model)
                .description("sequences preempted for lack of KV blocks").register(registry);
        FunctionCounter.builder("llmopt.engine.steps", e, x -> x.stats().steps()).tag("model", model)
                .description("engine steps that ran the model").register(registry);
    }

    void requestStarted() {
        inFlight.incrementAndGet();
    }

    void requestEnded(String route, int status) {
        inFlight.decrementAndGet();
        Counter.builder("llmopt.requests").tag("route", route).tag("status", Integer.toString(status))
                .description("HTTP requests by route and status").register(registry).increment();
    }

    void tokens(String model, int prompt, int generated) {
        Counter.builder("llmopt.prompt.tokens").tag("model", model).description("prompt tokens of finished requests")
                .register(registry).increment(prompt);
        Counter.builder("llmopt.generation.tokens").tag("model", model).description("tokens generated")
                .register(registry).increment(generated);
    }

    void timeToFirstToken(String model, long nanos) {
        timer("llmopt.time.to.first.token", "time from request arrival to the first generated token", model, TTFT_BUCKETS)
                .record(Duration.ofNanos(nanos));
    }

    void interTokenLatency(String model, long nanos) {
        timer("llmopt.inter.token.latency", "time between consecutive tokens of one choice", model, ITL_BUCKETS)
                .record(Duration.ofNanos(nanos));
    }

    void endToEnd(String model, long nanos) {
        timer("llmopt.e2e.request.latency", "time from request arrival to the last token", model, E2E_BUCKETS)
                .record(Duration.ofNanos(nanos));
    }

    /** The Prometheus text exposition format (version 0.0.4). */
    public String scrape() {
        return registry.scrape();
    }

    private Timer timer(String name, String description, String model, Duration[] buckets) {
        return Timer.builder(name).tag("model", model).description(description)
                .serviceLevelObjectives(buckets).register(registry);
    }

    private static Duration[] millis(long... ms) {
        return Arrays.stream(ms).mapToObj(Duration::ofMillis).toArray(Duration[]::new);
    }
}
