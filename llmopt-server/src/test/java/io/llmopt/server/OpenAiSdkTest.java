package io.llmopt.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.models.Model;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the server on a real tiny model. */
class OpenAiSdkTest {
    static OpenAiServer server;
    static OpenAIClient client;

    @BeforeAll
    static void start() {
        var engine = TestModels.engine(TestModels.load(), TestModels.config(16));
        server = OpenAiServer.start(ServerConfig.local().withApiKey("sk-test"), List.of(TestModels.served(engine)));
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUri() + "/v1").apiKey("sk-test").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void listsModels() {
        List<Model> models = client.models().list().data();
        assertThat(models).extracting(Model::id).containsExactly(TestModels.NAME);
    }

    @Test
    void completion() {
        Completion c = client.completions().create(CompletionCreateParams.builder().model(TestModels.NAME)
                .prompt("Once upon a time").maxTokens(16).temperature(0).build());
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).text()).isNotBlank();
        assertThat(c.usage().orElseThrow().completionTokens()).isBetween(1L, 16L);
        assertThat(c.usage().orElseThrow().promptTokens()).isGreaterThan(1L);
    }

    @Test
    void chat() {
        ChatCompletion c = client.chat().completions().create(ChatCompletionCreateParams.builder().model(TestModels.NAME)
                .addSystemMessage("You tell stories.").addUserMessage("Tell me about a cat.").maxCompletionTokens(12)
                .temperature(0).build());
        assertThat(c.choices()).hasSize(1);
        assertThat(c.choices().get(0).message().content()).isPresent();
        assertThat(c.choices().get(0).finishReason().asString()).isIn("stop", "length");
    }

    @Test
    void streamingChatEqualsTheNonStreamedAnswer() {
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(TestModels.NAME)
                .addUserMessage("Tell me about a dog.").maxCompletionTokens(20).temperature(0)
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        StringBuilder text = new StringBuilder();
        AtomicReference<String> finish = new AtomicReference<>();
        AtomicReference<Long> usage = new AtomicReference<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                for (ChatCompletionChunk.Choice ch : chunk.choices()) {
                    ch.delta().content().ifPresent(text::append);
                    ch.finishReason().ifPresent(f -> finish.set(f.asString()));
                }
                chunk.usage().ifPresent(u -> usage.set(u.completionTokens()));
            });
        }
        ChatCompletion whole = client.chat().completions().create(params.toBuilder().streamOptions(java.util.Optional.empty()).build());
        assertThat(text.toString()).isEqualTo(whole.choices().get(0).message().content().orElseThrow());
        assertThat(finish.get()).isEqualTo(whole.choices().get(0).finishReason().asString());
        assertThat(usage.get()).isEqualTo(whole.usage().orElseThrow().completionTokens());
    }
}
