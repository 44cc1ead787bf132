package io.llmopt.server.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.engine.BatchingEngine;
import io.llmopt.engine.EngineConfig;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.server.OpenAiServer;
import io.llmopt.server.ServedModel;
import io.llmopt.server.ServerConfig;
import io.llmopt.testkit.SharedData;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The load generator against the real server and engine on the tiny shared model. */
class LoadTestTest {

    @Test
    void streamingLoadCompletesEveryRequestWithExactTokenCounts() throws Exception {
        var model = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"));
        var engine = BatchingEngine.start(model, new EngineConfig(8, 256, 64, 16, 64, 128, true, 1));
        try (OpenAiServer server = OpenAiServer.start(ServerConfig.local().withApiKey("k"), List.of(ServedModel.of("tiny", engine)))) {
            LoadTestConfig config = new LoadTestConfig(server.baseUri(), "tiny", 4, 10, 16, 12, false, "k", 1, Duration.ofSeconds(30));
            LoadTestReport report = new LoadTest(config).run(n -> { });
            assertThat(report.failed()).as(report.errors().toString()).isZero();
            assertThat(report.ok()).isEqualTo(10);
            assertThat(report.outputTokens()).isEqualTo(10 * 12);
            assertThat(report.promptTokens()).isEqualTo(10 * 16);
            assertThat(report.ttftMs().count()).isEqualTo(10);
            assertThat(report.ttftMs().p50()).isPositive();
            assertThat(report.itlMs().count()).isPositive();
            assertThat(report.e2eMs().p99()).isGreaterThanOrEqualTo(report.ttftMs().p50());
            assertThat(report.toJson().get("completed").asInt()).isEqualTo(10);
            assertThat(report.toText()).contains("output token throughput");
        }
    }

    @Test
    void failuresAreCountedNotThrown() throws Exception {
        var model = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"));
        var engine = BatchingEngine.start(model, new EngineConfig(8, 256, 64, 16, 64, 128, true, 1));
        try (OpenAiServer server = OpenAiServer.start(ServerConfig.local(), List.of(ServedModel.of("tiny", engine)))) {
            LoadTestConfig config = new LoadTestConfig(server.baseUri(), "missing", 2, 3, 8, 4, false, null, 1, Duration.ofSeconds(30));
            LoadTestReport report = new LoadTest(config).run(n -> { });
            assertThat(report.failed()).isEqualTo(3);
            assertThat(report.errors().getFirst()).contains("404");
        }
        LoadTestConfig dead = new LoadTestConfig(URI.create("http://127.0.0.1:1"), "x", 1, 1, 4, 4, true, null, 1, Duration.ofSeconds(5));
        assertThat(new LoadTest(dead).run(n -> { }).failed()).isEqualTo(1);
    }
}
