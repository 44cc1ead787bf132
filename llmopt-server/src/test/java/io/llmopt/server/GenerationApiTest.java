package io.llmopt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.generate.GenerationRequest;
import io.llmopt.model.generate.GenerationResult;
import io.llmopt.model.generate.Generator;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Completions and chat over raw HTTP: SSE framing, usage, n, stop, logprobs, and parity with Generator. */
class GenerationApiTest {
    static final String PROMPT = "Once upon a time, there was a little";
    static OpenAiServer server;
    static Http http;

    @BeforeAll
    static void start() {
        var engine = TestModels.engine(TestModels.load(), TestModels.config(64));
        server = OpenAiServer.start(ServerConfig.local(), List.of(TestModels.served(engine)));
        http = new Http(server.baseUri());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** What `llmopt generate` computes: Generator on the same file, greedy. */
    static GenerationResult reference(String prompt, int maxTokens) {
        try (LoadedModel m = TestModels.load()) {
            WorkerPool pool = new WorkerPool(1);
            try {
                LlamaModel model = new LlamaModel(m.config(), m.weights(), KernelProvider.get(), pool);
                int[] ids = m.tokenizer().encode(prompt, true, false);
                return new Generator(model, m.tokenizer()).generate(GenerationRequest.of(ids, maxTokens, SamplingParams.greedy()),
                        128, s -> { });
            } finally {
                pool.shutdown();
            }
        }
    }

    JsonNode complete(String extra) throws Exception {
        HttpResponse<String> r = http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"" + PROMPT + "\"" + extra + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Http.json(r);
    }

    @Test
    void greedyCompletionIsTokenIdenticalToGenerator() throws Exception {
        GenerationResult ref = reference(PROMPT, 40);
        JsonNode c = complete(",\"max_tokens\":40,\"temperature\":0,\"logprobs\":0");
        JsonNode choice = c.at("/choices/0");
        assertThat(choice.get("text").asText()).isEqualTo(ref.text());
        assertThat(choice.get("finish_reason").asText()).isEqualTo(ref.finishReason().apiName());
        assertThat(c.at("/usage/completion_tokens").asInt()).isEqualTo(ref.tokens().length);
        assertThat(c.at("/usage/prompt_tokens").asInt()).isEqualTo(ref.promptTokens().length);
        TokenText names = server.models().get(0).tokenText();
        List<String> expected = new ArrayList<>();
        for (int t : ref.tokens()) {
            expected.add(names.of(t));
        }
        List<String> got = new ArrayList<>();
        choice.at("/logprobs/tokens").forEach(n -> got.add(n.asText()));
        assertThat(got).containsExactlyElementsOf(expected);
    }

    @Test
    void sixteenConcurrentGreedyRequestsAllEqualGenerator() throws Exception {
        GenerationResult ref = reference(PROMPT, 30);
        TokenText names = server.models().get(0).tokenText();
        List<String> expected = new ArrayList<>();
        for (int t : ref.tokens()) {
            expected.add(names.of(t));
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<JsonNode>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                futures.add(pool.submit(() -> complete(",\"max_tokens\":30,\"temperature\":0,\"logprobs\":0")));
            }
            for (Future<JsonNode> f : futures) {
                JsonNode choice = f.get().at("/choices/0");
                assertThat(choice.get("text").asText()).isEqualTo(ref.text());
                List<String> got = new ArrayList<>();
                choice.at("/logprobs/tokens").forEach(n -> got.add(n.asText()));
                assertThat(got).containsExactlyElementsOf(expected);
            }
        }
    }

    @Test
    void tokenArrayPromptEqualsTextPrompt() throws Exception {
        JsonNode ids = Http.json(http.post("/tokenize", "{\"model\":\"stories\",\"prompt\":\"" + PROMPT + "\"}")).get("tokens");
        HttpResponse<String> r = http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":" + ids + ",\"max_tokens\":20,\"temperature\":0}");
        assertThat(Http.json(r).at("/choices/0/text").asText())
                .isEqualTo(complete(",\"max_tokens\":20,\"temperature\":0").at("/choices/0/text").asText());
        JsonNode back = Http.json(http.post("/detokenize", "{\"model\":\"stories\",\"tokens\":" + ids + "}"));
        assertThat(back.get("prompt").asText()).isEqualTo(PROMPT);
    }

    @Test
    void streamedCompletionHasSseFramingAndTheSameText() throws Exception {
        String whole = complete(",\"max_tokens\":25,\"temperature\":0").at("/choices/0/text").asText();
        HttpResponse<String> r = http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"" + PROMPT
                + "\",\"max_tokens\":25,\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = Http.events(r.body());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = Http.JSON.readTree(e);
            assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
            if (chunk.get("choices").isEmpty()) {
                usage = chunk.get("usage");
                continue;
            }
            assertThat(usage).as("usage comes last").isNull();
            text.append(chunk.at("/choices/0/text").asText());
            if (!chunk.at("/choices/0/finish_reason").isNull()) {
                finish = chunk.at("/choices/0/finish_reason").asText();
            }
        }
        assertThat(text.toString()).isEqualTo(whole);
        assertThat(finish).isIn("stop", "length");
        assertThat(usage).isNotNull();
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt());
        assertThat(usage.at("/prompt_tokens_details/cached_tokens").isInt()).isTrue();
    }

    @Test
    void streamedChatOpensWithTheRoleAndEndsWithFinishReason() throws Exception {
        HttpResponse<String> r = http.post("/v1/chat/completions", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Tell me a story.\"}],\"max_tokens\":10,\"stream\":true}");
        List<String> events = Http.events(r.body());
        JsonNode first = Http.JSON.readTree(events.getFirst());
        assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        JsonNode last = Http.JSON.readTree(events.get(events.size() - 2));
        assertThat(last.at("/choices/0/finish_reason").asText()).isIn("stop", "length");
        assertThat(last.has("usage")).isFalse();
    }

    @Test
    void nChoicesAreIndexedAndCounted() throws Exception {
        JsonNode c = complete(",\"max_tokens\":12,\"n\":3,\"temperature\":1,\"seed\":7,\"ignore_eos\":true");
        assertThat(c.get("choices")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(c.at("/choices/" + i + "/index").asInt()).isEqualTo(i);
            assertThat(c.at("/choices/" + i + "/finish_reason").asText()).isEqualTo("length");
        }
        assertThat(c.at("/usage/completion_tokens").asInt()).isEqualTo(36);
        JsonNode again = complete(",\"max_tokens\":12,\"n\":3,\"temperature\":1,\"seed\":7,\"ignore_eos\":true");
        assertThat(again.get("choices")).isEqualTo(c.get("choices")); // seeded ⇒ reproducible
        HttpResponse<String> s = http.post("/v1/completions", "{\"model\":\"stories\",\"prompt\":\"" + PROMPT
                + "\",\"max_tokens\":5,\"n\":2,\"stream\":true}");
        List<Integer> seen = new ArrayList<>();
        for (String e : Http.events(s.body())) {
            if (!e.equals("[DONE]") && !Http.JSON.readTree(e).at("/choices/0/finish_reason").isNull()) {
                seen.add(Http.JSON.readTree(e).at("/choices/0/index").asInt());
            }
        }
        assertThat(seen).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void stopStringEndsTheTextBeforeIt() throws Exception {
        String whole = complete(",\"max_tokens\":40,\"temperature\":0").at("/choices/0/text").asText();
        String word = whole.strip().split(" ")[2];
        JsonNode c = complete(",\"max_tokens\":40,\"temperature\":0,\"stop\":[\"" + word + "\"]");
        String text = c.at("/choices/0/text").asText();
        assertThat(whole).startsWith(text + word);
        assertThat(text).doesNotContain(word);
        assertThat(c.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void logitBiasBansTheGreedyToken() throws Exception {
        JsonNode free = complete(",\"max_tokens\":1,\"temperature\":0,\"logprobs\":0");
        String first = free.at("/choices/0/logprobs/tokens/0").asText();
        JsonNode ids = Http.json(http.post("/tokenize", "{\"model\":\"stories\",\"prompt\":\"" + PROMPT + first + "\",\"add_special_tokens\":false}")).get("tokens");
        int banned = ids.get(ids.size() - 1).asInt();
        JsonNode biased = complete(",\"max_tokens\":1,\"temperature\":0,\"logprobs\":0,\"logit_bias\":{\"" + banned + "\":-100}");
        assertThat(biased.at("/choices/0/logprobs/tokens/0").asText()).isNotEqualTo(first);
    }

    @Test
    void logprobsInBothShapes() throws Exception {
        JsonNode legacy = complete(",\"max_tokens\":5,\"temperature\":0,\"logprobs\":3").at("/choices/0/logprobs");
        assertThat(legacy.get("tokens")).hasSize(5);
        assertThat(legacy.get("token_logprobs")).hasSize(5);
        assertThat(legacy.get("text_offset")).hasSize(5);
        JsonNode top0 = legacy.at("/top_logprobs/0");
        assertThat(top0.size()).isEqualTo(3);
        double sampled = legacy.at("/token_logprobs/0").asDouble();
        assertThat(sampled).isLessThanOrEqualTo(0);
        double best = Double.NEGATIVE_INFINITY;
        for (JsonNode v : top0) {
            best = Math.max(best, v.asDouble());
        }
        assertThat(sampled).isEqualTo(best, org.assertj.core.data.Offset.offset(1e-6)); // greedy takes the top token

        HttpResponse<String> r = http.post("/v1/chat/completions", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hi\"}],\"max_tokens\":4,\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2}");
        JsonNode content = Http.json(r).at("/choices/0/logprobs/content");
        assertThat(content).hasSize(Http.json(r).at("/usage/completion_tokens").asInt());
        JsonNode e = content.get(0);
        assertThat(e.get("token").isTextual()).isTrue();
        assertThat(e.get("bytes").isArray()).isTrue();
        assertThat(e.get("top_logprobs")).hasSize(2);
        assertThat(e.get("logprob").asDouble()).isEqualTo(e.at("/top_logprobs/0/logprob").asDouble(), org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void healthAndMetrics() throws Exception {
        complete(",\"max_tokens\":3");
        JsonNode h = Http.json(http.get("/health"));
        assertThat(h.get("status").asText()).isEqualTo("ok");
        assertThat(h.at("/models/stories/running").isInt()).isTrue();
        assertThat(h.at("/models/stories/kv_blocks_total").isInt()).isTrue();
        String metrics = http.get("/metrics").body();
        assertThat(metrics).contains("llmopt_requests_total{", "route=\"/v1/completions\"", "status=\"200\"",
                "llmopt_prompt_tokens_total", "llmopt_generation_tokens_total",
                "llmopt_time_to_first_token_seconds_bucket", "llmopt_inter_token_latency_seconds_bucket",
                "llmopt_e2e_request_latency_seconds_bucket", "llmopt_requests_waiting", "llmopt_requests_running",
                "llmopt_kv_blocks_used", "llmopt_kv_blocks_capacity", "llmopt_prefix_cache_hit_rate", "llmopt_preemptions_total");
    }

    @Test
    void chatTokenizeUsesTheTemplate() throws Exception {
        JsonNode t = Http.json(http.post("/tokenize", "{\"model\":\"stories\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"));
        JsonNode d = Http.json(http.post("/detokenize", "{\"model\":\"stories\",\"tokens\":" + t.get("tokens") + "}"));
        assertThat(d.get("prompt").asText()).isEqualTo("user: Hi\nassistant:");
    }
}
