package io.llmopt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad request gets the right status and OpenAI's error JSON — never a 500. */
class ErrorResponsesTest {
    static OpenAiServer server;
    static Http http;

    @BeforeAll
    static void start() {
        var engine = TestModels.engine(TestModels.load(), TestModels.config(16));
        server = OpenAiServer.start(ServerConfig.local().withMaxBodyBytes(64 * 1024), List.of(TestModels.served(engine)));
        http = new Http(server.baseUri());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Stream<Arguments> badRequests() {
        String c = "/v1/completions";
        String chat = "/v1/chat/completions";
        String m = "\"model\":\"stories\",";
        return Stream.of(
                Arguments.of(c, "{not json", 400, null),
                Arguments.of(c, "", 400, null),
                Arguments.of(c, "[1,2]", 400, null),
                Arguments.of(c, "{\"model\":\"stories\"} trailing", 400, null),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"max_tokens\":\"ten\"}", 400, "max_tokens"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"max_tokens\":-1}", 400, "max_tokens"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"max_tokens\":0}", 400, "max_tokens"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"max_tokens\":2.5}", 400, "max_tokens"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"max_tokens\":99999999999999999999}", 400, "max_tokens"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"max_tokens\":100000}", 400, "max_tokens"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"temperature\":-0.5}", 400, "temperature"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"temperature\":1e308}", 400, "temperature"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"temperature\":true}", 400, "temperature"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"top_p\":0}", 400, "top_p"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"top_p\":1.5}", 400, "top_p"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"n\":0}", 400, "n"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"n\":100000}", 400, "n"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"presence_penalty\":3}", 400, "presence_penalty"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"frequency_penalty\":\"x\"}", 400, "frequency_penalty"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"stop\":5}", 400, "stop"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"stop\":[\"\"]}", 400, "stop"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"seed\":\"1\"}", 400, "seed"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"logprobs\":21}", 400, "logprobs"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"min_p\":2}", 400, "min_p"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"repetition_penalty\":0}", 400, "repetition_penalty"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"stream\":\"yes\"}", 400, "stream"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"stream_options\":3}", 400, "stream_options"),
                Arguments.of(c, "{" + m + "\"prompt\":[]}", 400, "prompt"),
                Arguments.of(c, "{" + m + "\"prompt\":[1, 99999]}", 400, "prompt"),
                Arguments.of(c, "{" + m + "\"prompt\":[1, -3]}", 400, "prompt"),
                Arguments.of(c, "{" + m + "\"prompt\":{\"a\":1}}", 400, "prompt"),
                Arguments.of(c, "{" + m + "\"max_tokens\":3}", 400, "prompt"),
                Arguments.of(c, "{" + m + "\"prompt\":\"" + "once upon a time ".repeat(60) + "\"}", 400, "prompt"),
                Arguments.of(c, "{" + m + "\"prompt\":\"\\ud800 lone surrogate\",\"max_tokens\":3}", 200, null),
                Arguments.of(chat, "{" + m + "\"messages\":[{\"role\":\"user\",\"content\":\"\\udfff\"}],\"max_tokens\":3}", 200, null),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"logit_bias\":{\"99999\":1}}", 400, "logit_bias"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"logit_bias\":{\"abc\":1}}", 400, "logit_bias"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"logit_bias\":{\"5\":101}}", 400, "logit_bias"),
                Arguments.of(c, "{" + m + "\"prompt\":\"hi\",\"logit_bias\":[1]}", 400, "logit_bias"),
                Arguments.of(c, "{\"model\":42,\"prompt\":\"hi\"}", 400, "model"),
                Arguments.of(c, "{\"model\":\"gpt-4\",\"prompt\":\"hi\"}", 404, "model"),
                Arguments.of(chat, "{" + m + "\"messages\":[]}", 400, "messages"),
                Arguments.of(chat, "{" + m + "\"messages\":\"hi\"}", 400, "messages"),
                Arguments.of(chat, "{" + m + "\"messages\":[{\"content\":\"hi\"}]}", 400, "messages[0].role"),
                Arguments.of(chat, "{" + m + "\"messages\":[{\"role\":\"user\",\"content\":7}]}", 400, "messages[0].content"),
                Arguments.of(chat, "{" + m + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"top_logprobs\":3}", 400, "top_logprobs"),
                Arguments.of(chat, "{" + m + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_completion_tokens\":-5}", 400, "max_completion_tokens"),
                Arguments.of("/tokenize", "{" + m + "\"prompt\":5}", 400, "prompt"),
                Arguments.of("/detokenize", "{" + m + "\"tokens\":[\"a\"]}", 400, "tokens"));
    }

    @ParameterizedTest
    @MethodSource("badRequests")
    void badInputGetsAnOpenAiError(String path, String body, int status, String param) throws Exception {
        HttpResponse<String> r = http.post(path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        if (status != 200) {
            assertOpenAiError(r, param);
        }
    }

    @Test
    void contextOverflowNamesTheLimits() throws Exception {
        HttpResponse<String> r = http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"Once\",\"max_tokens\":500}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Http.json(r).at("/error/message").asText()).contains("128").contains("500");
    }

    @Test
    void unknownModelListsTheServedOnes() throws Exception {
        HttpResponse<String> r = http.post("/v1/completions", "{\"model\":\"nope\",\"prompt\":\"hi\"}");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(Http.json(r).at("/error/message").asText()).contains("nope").contains("stories");
        assertThat(Http.json(r).at("/error/code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void chatWithoutTemplateIs400() throws Exception {
        var engine = TestModels.engine(TestModels.load(), TestModels.config(4));
        try (OpenAiServer plain = OpenAiServer.start(ServerConfig.local(), List.of(ServedModel.of("plain", engine)))) {
            HttpResponse<String> r = new Http(plain.baseUri()).post("/v1/chat/completions",
                    "{\"model\":\"plain\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(Http.json(r).at("/error/message").asText()).contains("chat template");
        }
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405() throws Exception {
        HttpResponse<String> r = http.get("/v1/engines");
        assertThat(r.statusCode()).isEqualTo(404);
        assertOpenAiError(r, null);
        r = http.get("/v1/completions");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("POST");
        assertOpenAiError(r, null);
        r = http.send("DELETE", "/v1/models", null);
        assertThat(r.statusCode()).isEqualTo(405);
    }

    @Test
    void tooLargeBodyIs413() throws Exception {
        String big = "{\"model\":\"stories\",\"prompt\":\"" + "a".repeat(100 * 1024) + "\"}";
        HttpResponse<String> r = http.post("/v1/completions", big);
        assertThat(r.statusCode()).isEqualTo(413);
        assertOpenAiError(r, null);
    }

    @Test
    void apiKeyIsRequiredWhenConfigured() throws Exception {
        var engine = TestModels.engine(TestModels.load(), TestModels.config(4));
        try (OpenAiServer keyed = OpenAiServer.start(ServerConfig.local().withApiKey("secret"), List.of(TestModels.served(engine)))) {
            HttpResponse<String> r = new Http(keyed.baseUri()).get("/v1/models");
            assertThat(r.statusCode()).isEqualTo(401);
            assertOpenAiError(r, null);
            r = new Http(keyed.baseUri(), "secreT").get("/v1/models");
            assertThat(r.statusCode()).isEqualTo(401);
            r = new Http(keyed.baseUri(), "secret-but-longer").post("/v1/completions", "{\"prompt\":\"x\"}");
            assertThat(r.statusCode()).isEqualTo(401);
            r = new Http(keyed.baseUri(), "secret").get("/v1/models");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(new Http(keyed.baseUri()).get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void serverStaysHealthyAfterBadInput() throws Exception {
        for (int i = 0; i < 20; i++) {
            http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":[1," + (i % 2 == 0 ? "1e400" : "null") + "]}");
        }
        HttpResponse<String> ok = http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"Once\",\"max_tokens\":4}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(http.get("/health").statusCode()).isEqualTo(200);
    }

    static void assertOpenAiError(HttpResponse<String> r, String param) throws Exception {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode e = Http.json(r).get("error");
        assertThat(e).as(r.body()).isNotNull();
        assertThat(e.get("message").asText()).isNotBlank();
        assertThat(e.get("type").asText()).isNotBlank();
        assertThat(e.has("param")).isTrue();
        assertThat(e.has("code")).isTrue();
        if (param != null) {
            assertThat(e.get("param").asText()).as(r.body()).isEqualTo(param);
        }
    }
}
