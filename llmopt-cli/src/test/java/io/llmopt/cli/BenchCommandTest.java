package io.llmopt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.testkit.SharedData;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    @Test
    void jsonListsPpAndTgWithTheDocumentedFields() throws Exception {
        String model = SharedData.require("models/stories260K/stories260K-f32.gguf").toString();
        CliRunner r = CliRunner.run("bench", "-m", model, "-p", "32", "-n", "8", "-r", "2", "-t", "1,2", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode list = new ObjectMapper().readTree(r.out());
        assertThat(list).hasSize(4);
        assertThat(list.get(0).get("test").asText()).isEqualTo("pp32");
        assertThat(list.get(1).get("test").asText()).isEqualTo("tg8");
        assertThat(list.get(2).get("threads").asInt()).isEqualTo(2);
        for (JsonNode e : list) {
            assertThat(e.get("tokens_per_second").asDouble()).isPositive();
            assertThat(e.has("stddev")).isTrue();
            assertThat(e.get("model_type").asText()).isEqualTo("llama 0M F32");
            assertThat(e.get("model_bytes").asLong()).isEqualTo(1_185_376L);
            assertThat(e.get("samples_tokens_per_second")).hasSize(2);
        }
    }
}
