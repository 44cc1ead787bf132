package io.llmopt.server.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A load generator for OpenAI-compatible servers, like {@code vllm bench serve}: {@code concurrency} virtual-thread
 * clients send {@code requests} streaming requests in total (each client starts its next request when the last one
 * ends), with synthetic prompts and {@code ignore_eos}, and time every streamed chunk.
 */
public final class LoadTest {
    private final LoadTestConfig config;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client;

    public LoadTest(LoadTestConfig config) {
        this.config = config;
        this.client = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Runs the test; {@code progress} gets the number of finished requests after each one. */
    public LoadTestReport run(Consumer<Integer> progress) throws InterruptedException {
        List<ObjectNode> bodies = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(config.seed());
        SyntheticPrompts prompts = new SyntheticPrompts(json, client, config);
        for (int i = 0; i < config.requests(); i++) {
            bodies.add(body(prompts, random));
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        RequestResult[] results = new RequestResult[config.requests()];
        long t0 = System.nanoTime();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < Math.min(config.concurrency(), config.requests()); c++) {
                futures.add(clients.submit(() -> {
                    for (int i = next.getAndIncrement(); i < results.length; i = next.getAndIncrement()) {
                        results[i] = send(bodies.get(i));
                        progress.accept(done.incrementAndGet());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new LlmoptException("a load-test client failed: " + e.getCause(), e.getCause());
                }
            }
        }
        return LoadTestReport.of(config, List.of(results), System.nanoTime() - t0);
    }

    private ObjectNode body(SyntheticPrompts prompts, SplittableRandom random) throws InterruptedException {
        ObjectNode b = json.createObjectNode();
        b.put("model", config.model());
        if (config.chat()) {
            ObjectNode m = b.putArray("messages").addObject();
            m.put("role", "user");
            m.put("content", SyntheticPrompts.text(random, config.promptLength()));
            b.put("max_completion_tokens", config.maxTokens());
        } else {
            b.set("prompt", prompts.completionPrompt(random));
            b.put("max_tokens", config.maxTokens());
        }
        b.put("max_tokens", config.maxTokens());
        b.put("ignore_eos", true);
        b.put("temperature", 0);
        b.put("stream", true);
        b.putObject("stream_options").put("include_usage", true);
        return b;
    }

    RequestResult send(ObjectNode body) {
        long start = System.nanoTime();
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(config.url().resolve(config.chat() ? "/v1/chat/completions" : "/v1/completions"))
                    .timeout(config.requestTimeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            if (config.apiKey() != null) {
                b.header("Authorization", "Bearer " + config.apiKey());
            }
            HttpResponse<Stream<String>> r = client.send(b.build(), HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = r.body()) {
                if (r.statusCode() != 200) {
                    String text = String.join(" ", lines.limit(5).toList());
                    return RequestResult.failed("HTTP " + r.statusCode() + ": " + brief(text), System.nanoTime() - start);
                }
                return read(lines.iterator(), start);
            }
        } catch (IOException e) {
            return RequestResult.failed(e.getClass().getSimpleName() + ": " + e.getMessage(), System.nanoTime() - start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RequestResult.failed("interrupted", System.nanoTime() - start);
        }
    }

    /** Reads the SSE stream: times the chunks that carry text, takes token counts from the usage chunk. */
    private RequestResult read(Iterator<String> lines, long start) throws IOException {
        long first = -1;
        long last = -1;
        List<Long> gaps = new ArrayList<>();
        int chunks = 0;
        int usagePrompt = -1;
        int usageCompletion = -1;
        boolean done = false;
        while (lines.hasNext()) {
            String line = lines.next();
            if (!line.startsWith("data:")) {
                continue;
            }
            String data = line.substring(5).strip();
            if (data.equals("[DONE]")) {
                done = true;
                break;
            }
            long now = System.nanoTime();
            JsonNode chunk = json.readTree(data);
            if (chunk.has("error")) {
                return RequestResult.failed("stream error: " + brief(chunk.get("error").toString()), now - start);
            }
            JsonNode usage = chunk.get("usage");
            if (usage != null && usage.isObject()) {
                usagePrompt = usage.path("prompt_tokens").asInt(-1);
                usageCompletion = usage.path("completion_tokens").asInt(-1);
            }
            JsonNode choice = chunk.path("choices").path(0);
            String text = choice.has("text") ? choice.path("text").asText("") : choice.path("delta").path("content").asText("");
            if (!text.isEmpty()) {
                chunks++;
                if (first < 0) {
                    first = now - start;
                } else {
                    gaps.add(now - start - last);
                }
                last = now - start;
            }
        }
        long end = System.nanoTime() - start;
        if (!done) {
            return RequestResult.failed("the stream ended without data: [DONE]", end);
        }
        long[] g = gaps.stream().mapToLong(Long::longValue).toArray();
        return new RequestResult(null, Math.max(usagePrompt, 0), usageCompletion >= 0 ? usageCompletion : chunks, first, end, g);
    }

    private static String brief(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
