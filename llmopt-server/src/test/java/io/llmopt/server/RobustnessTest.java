package io.llmopt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.engine.EngineConfig;
import io.llmopt.engine.EngineStats;
import io.llmopt.engine.InferenceEngine;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Full queue, client disconnects, timeouts, shutdown and a mixed fault load, on the real engine slowed down
 * per token ({@link SlowEngine}) so that requests are still running when the test acts.
 */
class RobustnessTest {
    static final String LONG = "{\"model\":\"stories\",\"prompt\":\"Once upon a time\",\"max_tokens\":100,\"ignore_eos\":true";

    static OpenAiServer start(ServerConfig config, EngineConfig engineConfig, int millisPerToken) {
        InferenceEngine engine = new SlowEngine(TestModels.engine(TestModels.load(), engineConfig), Duration.ofMillis(millisPerToken));
        return OpenAiServer.start(config, List.of(TestModels.served(engine)));
    }

    static EngineConfig config(int maxNumSeqs, int maxQueue) {
        return new EngineConfig(maxNumSeqs, 256, 64, 16, maxQueue, 128, true, 1);
    }

    /** Waits until the engine is idle and returns its stats. */
    static EngineStats idle(OpenAiServer server) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        EngineStats s = server.models().get(0).engine().stats();
        while ((s.running() > 0 || s.waiting() > 0 || server.inFlight() > 0) && System.nanoTime() < end) {
            Thread.sleep(20);
            s = server.models().get(0).engine().stats();
        }
        return s;
    }

    /**
     * Opens a raw streaming request, reads {@code events} data lines, and returns the open socket; null (socket
     * closed) when the server refused the request (e.g. 429).
     */
    static Socket streamAndRead(OpenAiServer server, int events) throws Exception {
        Socket socket = new Socket("127.0.0.1", server.port());
        byte[] body = (LONG + ",\"stream\":true}").getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        String status = in.readLine();
        if (!status.contains(" 200 ")) {
            socket.close();
            return null;
        }
        int seen = 0;
        String line;
        while (seen < events && (line = in.readLine()) != null) {
            if (line.contains("data: ")) {
                seen++;
            }
        }
        assertThat(seen).isEqualTo(events);
        return socket;
    }

    @Test
    void clientDisconnectMidStreamCancelsTheRequestAndFreesItsBlocks() throws Exception {
        try (OpenAiServer server = start(ServerConfig.local(), config(4, 8), 20)) {
            Socket s = streamAndRead(server, 3);
            long t0 = System.nanoTime();
            assertThat(server.models().get(0).engine().stats().running()).isEqualTo(1);
            s.close();
            EngineStats after = idle(server);
            System.out.printf("disconnect noticed and request cancelled in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
            assertThat(after.running()).isZero();
            assertThat(after.waiting()).isZero();
            assertThat(after.kvBlocksUsed()).isZero();
            assertThat(after.generatedTokens()).as("cancelled well before its 100 tokens").isLessThan(60);
            assertThat(server.inFlight()).isZero();
        }
    }

    @Test
    void longNonStreamedGenerationOutlivesTheConnectionIdleTimeout() throws Exception {
        try (OpenAiServer server = start(ServerConfig.local(), config(4, 8), 20)) {
            server.setIdleTimeout(Duration.ofMillis(300));
            HttpResponse<String> r = new Http(server.baseUri()).post("/v1/completions", LONG.replace("100", "60") + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(Http.json(r).at("/usage/completion_tokens").asInt()).isEqualTo(60);
        }
    }

    @Test
    void fullQueueAnswers429WithRetryAfter() throws Exception {
        try (OpenAiServer server = start(ServerConfig.local(), config(1, 1), 20)) {
            Http http = new Http(server.baseUri());
            Socket running = java.util.Objects.requireNonNull(streamAndRead(server, 2)); // occupies the only sequence slot
            HttpClient client = HttpClient.newHttpClient();
            CompletableFuture<HttpResponse<String>> queued = client.sendAsync(http.builder("/v1/completions")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"stories\",\"prompt\":\"Hi\",\"max_tokens\":3}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (server.models().get(0).engine().stats().waiting() < 1 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            HttpResponse<String> refused = http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"Hi\",\"max_tokens\":3}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(Integer.parseInt(refused.headers().firstValue("Retry-After").get())).isPositive();
            ErrorResponsesTest.assertOpenAiError(refused, null);
            running.close();
            assertThat(queued.get().statusCode()).isEqualTo(200);
            assertThat(idle(server).kvBlocksUsed()).isZero();
        }
    }

    @Test
    void requestTimeoutCancelsAndAnswersWithWhatItHas() throws Exception {
        ServerConfig cfg = ServerConfig.local().withRequestTimeout(Duration.ofMillis(300));
        try (OpenAiServer server = start(cfg, config(4, 8), 20)) {
            long t0 = System.nanoTime();
            HttpResponse<String> r = new Http(server.baseUri()).post("/v1/completions", LONG + "}");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = Http.json(r);
            assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("length");
            assertThat(body.at("/usage/completion_tokens").asInt()).isBetween(1, 60);
            assertThat(ms).isLessThan(1500);
            assertThat(idle(server).kvBlocksUsed()).isZero();
        }
    }

    @Test
    void shutdownLetsInFlightStreamsFinishWithinGrace() throws Exception {
        OpenAiServer server = start(ServerConfig.local(), config(4, 8), 5);
        Http http = new Http(server.baseUri());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> stream = pool.submit(() -> http.post("/v1/completions",
                    "{\"model\":\"stories\",\"prompt\":\"Once\",\"max_tokens\":40,\"ignore_eos\":true,\"stream\":true}"));
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (server.models().get(0).engine().stats().running() < 1 && System.nanoTime() < end) {
                Thread.sleep(2);
            }
            server.shutdown(Duration.ofSeconds(10));
            HttpResponse<String> r = stream.get();
            List<String> events = Http.events(r.body());
            JsonNode last = Http.JSON.readTree(events.get(events.size() - 2));
            assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("length");
            assertThat(events.size() - 1).as("all 40 tokens arrived").isGreaterThanOrEqualTo(40);
        }
    }

    @Test
    void shutdownWithoutGraceEndsStreamsCleanly() throws Exception {
        OpenAiServer server = start(ServerConfig.local(), config(4, 8), 20);
        Http http = new Http(server.baseUri());
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<HttpResponse<String>> stream = pool.submit(() -> http.post("/v1/completions", LONG + ",\"stream\":true}"));
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (server.models().get(0).engine().stats().generatedTokens() < 2 && System.nanoTime() < end) {
                Thread.sleep(2);
            }
            server.shutdown(Duration.ZERO);
            HttpResponse<String> r = stream.get();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).endsWith("data: [DONE]\n\n");
            assertThat(Http.events(r.body()).size()).isLessThan(100);
        }
    }

    @Test
    void faultsUnderLoadLeaveTheServerHealthyWithEveryBlockReturned() throws Exception {
        try (OpenAiServer server = start(ServerConfig.local(), config(8, 4), 3)) {
            Http http = new Http(server.baseUri());
            AtomicInteger ok = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> all = new ArrayList<>();
                for (int i = 0; i < 24; i++) {
                    int kind = i % 4;
                    all.add(pool.submit(() -> {
                        switch (kind) {
                            case 0 -> {
                                HttpResponse<String> r = http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"Once\",\"max_tokens\":30,\"stream\":true}");
                                (r.statusCode() == 200 ? ok : refused).incrementAndGet();
                                assertThat(r.statusCode()).isIn(200, 429);
                            }
                            case 1 -> {
                                Socket socket = streamAndRead(server, 2);
                                if (socket != null) {
                                    socket.close();
                                }
                            }
                            case 2 -> assertThat(http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":[1,{}]}").statusCode()).isEqualTo(400);
                            default -> {
                                HttpResponse<String> r = http.post("/v1/chat/completions", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":10}");
                                (r.statusCode() == 200 ? ok : refused).incrementAndGet();
                                assertThat(r.statusCode()).isIn(200, 429);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : all) {
                    f.get();
                }
            }
            EngineStats s = idle(server);
            assertThat(s.running()).isZero();
            assertThat(s.kvBlocksUsed()).isZero();
            assertThat(ok.get()).isPositive();
            assertThat(http.get("/health").statusCode()).isEqualTo(200);
            assertThat(http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"Once\",\"max_tokens\":5}").statusCode()).isEqualTo(200);
            assertThat(Stream.of(http.get("/metrics").body().split("\n")).filter(l -> l.startsWith("llmopt_requests_in_flight")).findFirst().orElseThrow())
                    .endsWith(" 1.0"); // only the scrape itself
        }
    }
}
