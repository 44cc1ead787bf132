package io.llmopt.server.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code llmopt loadtest} reports, in vLLM's {@code bench serve} terms. Latencies in milliseconds.
 *
 * @param tpotMs  time per output token after the first, per request: (e2e − ttft) / (tokens − 1)
 */
public record LoadTestReport(LoadTestConfig config, int ok, int failed, List<String> errors, double durationSeconds,
        long promptTokens, long outputTokens, Percentiles ttftMs, Percentiles itlMs, Percentiles tpotMs,
        Percentiles e2eMs) {

    static LoadTestReport of(LoadTestConfig config, List<RequestResult> results, long durationNanos) {
        int ok = 0;
        long prompt = 0;
        long output = 0;
        List<String> errors = new ArrayList<>();
        List<Double> ttft = new ArrayList<>();
        List<Double> itl = new ArrayList<>();
        List<Double> tpot = new ArrayList<>();
        List<Double> e2e = new ArrayList<>();
        for (RequestResult r : results) {
            if (!r.ok()) {
                if (errors.size() < 5 && !errors.contains(r.error())) {
                    errors.add(r.error());
                }
                continue;
            }
            ok++;
            prompt += r.promptTokens();
            output += r.outputTokens();
            if (r.ttftNanos() >= 0) {
                ttft.add(r.ttftNanos() / 1e6);
            }
            for (long g : r.gapsNanos()) {
                itl.add(g / 1e6);
            }
            if (r.outputTokens() > 1 && r.ttftNanos() >= 0) {
                tpot.add((r.e2eNanos() - r.ttftNanos()) / 1e6 / (r.outputTokens() - 1));
            }
            e2e.add(r.e2eNanos() / 1e6);
        }
        return new LoadTestReport(config, ok, results.size() - ok, List.copyOf(errors), durationNanos / 1e9, prompt, output,
                stats(ttft), stats(itl), stats(tpot), stats(e2e));
    }

    private static Percentiles stats(List<Double> values) {
        return Percentiles.of(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    public double requestsPerSecond() {
        return ok / durationSeconds;
    }

    public double outputTokensPerSecond() {
        return outputTokens / durationSeconds;
    }

    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-32s %s%n", "endpoint", config.url() + (config.chat() ? "/v1/chat/completions" : "/v1/completions")));
        sb.append(String.format(Locale.ROOT, "%-32s %d clients, %d requests, prompt %d, max tokens %d%n", "load",
                config.concurrency(), config.requests(), config.promptLength(), config.maxTokens()));
        sb.append(String.format(Locale.ROOT, "%-32s %d%n", "successful requests", ok));
        sb.append(String.format(Locale.ROOT, "%-32s %d%n", "failed requests", failed));
        for (String e : errors) {
            sb.append("  error: ").append(e).append('\n');
        }
        sb.append(String.format(Locale.ROOT, "%-32s %.2f%n", "duration (s)", durationSeconds));
        sb.append(String.format(Locale.ROOT, "%-32s %d%n", "total input tokens", promptTokens));
        sb.append(String.format(Locale.ROOT, "%-32s %d%n", "total generated tokens", outputTokens));
        sb.append(String.format(Locale.ROOT, "%-32s %.2f%n", "request throughput (req/s)", requestsPerSecond()));
        sb.append(String.format(Locale.ROOT, "%-32s %.2f%n", "output token throughput (tok/s)", outputTokensPerSecond()));
        line(sb, "TTFT (ms)", ttftMs);
        line(sb, "ITL (ms)", itlMs);
        line(sb, "TPOT (ms)", tpotMs);
        line(sb, "E2E latency (ms)", e2eMs);
        return sb.toString();
    }

    private static void line(StringBuilder sb, String name, Percentiles p) {
        sb.append(String.format(Locale.ROOT, "%-32s mean %.2f  p50 %.2f  p90 %.2f  p99 %.2f%n", name, p.mean(), p.p50(), p.p90(), p.p99()));
    }

    public ObjectNode toJson() {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.put("url", config.url().toString());
        o.put("model", config.model());
        o.put("endpoint", config.chat() ? "/v1/chat/completions" : "/v1/completions");
        o.put("concurrency", config.concurrency());
        o.put("requests", config.requests());
        o.put("prompt_len", config.promptLength());
        o.put("max_tokens", config.maxTokens());
        o.put("completed", ok);
        o.put("failed", failed);
        errors.forEach(o.putArray("errors")::add);
        o.put("duration_s", durationSeconds);
        o.put("total_input_tokens", promptTokens);
        o.put("total_output_tokens", outputTokens);
        o.put("request_throughput", requestsPerSecond());
        o.put("output_throughput", outputTokensPerSecond());
        put(o, "ttft_ms", ttftMs);
        put(o, "itl_ms", itlMs);
        put(o, "tpot_ms", tpotMs);
        put(o, "e2el_ms", e2eMs);
        return o;
    }

    private static void put(ObjectNode o, String name, Percentiles p) {
        ObjectNode n = o.putObject(name);
        n.put("mean", p.mean());
        n.put("p50", p.p50());
        n.put("p90", p.p90());
        n.put("p99", p.p99());
        n.put("max", p.max());
        n.put("count", p.count());
    }
}
