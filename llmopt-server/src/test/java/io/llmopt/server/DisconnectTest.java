package io.llmopt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.engine.EngineStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A client that closes its connection during a NON-streamed generation (nothing is written until the end, so no
 * write can fail) is noticed by the periodic connection probe, its engine request cancelled and its KV blocks
 * returned; a client that pipelines its next request on the same connection meanwhile is not mistaken for a
 * closed one, and both answers arrive. Real engine slowed to 20 ms per token ({@link SlowEngine}): 100 tokens
 * would take 2 s.
 */
class DisconnectTest {
    private static final String CHAT = "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
            + "\"max_tokens\":100,\"ignore_eos\":true}";

    @Test
    void closedConnectionCancelsANonStreamedCompletion() throws Exception {
        closeMidGeneration("/v1/completions", RobustnessTest.LONG + "}");
    }

    @Test
    void closedConnectionCancelsANonStreamedChatCompletion() throws Exception {
        closeMidGeneration("/v1/chat/completions", CHAT);
    }

    @Test
    void pipelinedRequestDuringAGenerationIsAnsweredNotTakenForAClose() throws Exception {
        try (OpenAiServer server = RobustnessTest.start(ServerConfig.local(), RobustnessTest.config(4, 8), 20);
                Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(post("/v1/completions", RobustnessTest.LONG.replace("100", "30") + "}"));
            out.flush();
            awaitGenerating(server);
            // the second request arrives while the first is generating: the probe reads its first byte
            out.write(post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"Hi\",\"max_tokens\":5,\"ignore_eos\":true}"));
            out.flush();
            InputStream in = socket.getInputStream();
            JsonNode first = Http.JSON.readTree(readResponse(in));
            JsonNode second = Http.JSON.readTree(readResponse(in));
            assertThat(first.at("/usage/completion_tokens").asInt()).as(first.toString()).isEqualTo(30);
            assertThat(second.at("/usage/completion_tokens").asInt()).as(second.toString()).isEqualTo(5);
            assertThat(RobustnessTest.idle(server).kvBlocksUsed()).isZero();
        }
    }

    private static void closeMidGeneration(String path, String body) throws Exception {
        try (OpenAiServer server = RobustnessTest.start(ServerConfig.local(), RobustnessTest.config(4, 8), 20)) {
            Socket socket = new Socket("127.0.0.1", server.port());
            socket.getOutputStream().write(post(path, body));
            socket.getOutputStream().flush();
            awaitGenerating(server);
            long t0 = System.nanoTime();
            socket.close();
            EngineStats after = RobustnessTest.idle(server);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("%s: closed connection noticed and request cancelled in %d ms after %d tokens%n", path, ms,
                    after.generatedTokens());
            assertThat(after.running()).isZero();
            assertThat(after.waiting()).isZero();
            assertThat(after.kvBlocksUsed()).isZero();
            assertThat(after.generatedTokens()).as("cancelled well before its 100 tokens").isLessThan(60);
            assertThat(ms).as("noticed within a bounded time (probe every 200 ms)").isLessThan(1500);
            assertThat(server.inFlight()).isZero();
            String metrics = new Http(server.baseUri()).get("/metrics").body();
            assertThat(Stream.of(metrics.split("\n")).filter(l -> l.startsWith("llmopt_kv_blocks_used")).findFirst().orElseThrow())
                    .endsWith(" 0.0");
        }
    }

    /** Waits until the only request has generated a few tokens. */
    private static void awaitGenerating(OpenAiServer server) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.models().get(0).engine().stats().generatedTokens() < 3 && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(server.models().get(0).engine().stats().running()).isEqualTo(1);
    }

    private static byte[] post(String path, String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                + b.length + "\r\n\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(b);
        return out.toByteArray();
    }

    /** One HTTP/1.1 response with a Content-Length body; asserts status 200 and returns the body. */
    private static String readResponse(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed after: " + head);
            }
            head.append((char) c);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 200 ");
        int length = -1;
        for (String line : head.toString().split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Integer.parseInt(line.substring(15).strip());
            }
        }
        assertThat(length).as(head.toString()).isPositive();
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
