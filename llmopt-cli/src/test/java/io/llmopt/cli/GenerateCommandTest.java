package io.llmopt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.testkit.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void jsonOutputCarriesIdsTextAndTimingsAndMatchesLlamaCpp() throws Exception {
        Path model = SharedData.require("models/stories260K/stories260K-f32.gguf");
        JsonNode ref = JSON.readTree(SharedData.require("reference/stories260K/greedy.json").toFile()).get("results").get(0);
        CliRunner r = CliRunner.run("generate", "-m", model.toString(), "-p", ref.get("prompt").asText(), "-n", "64",
                "--temp", "0", "--ignore-eos", "--json", "-t", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = JSON.readTree(r.out());
        assertThat(out.get("prompt_tokens")).isEqualTo(ref.get("prompt_ids"));
        assertThat(out.get("tokens")).isEqualTo(ref.get("generated_ids"));
        assertThat(ref.get("prompt").asText() + out.get("text").asText()).isEqualTo(ref.get("text").asText());
        assertThat(out.get("timings").get("generation_tokens_per_second").asDouble()).isPositive();
        assertThat(out.get("finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void sameSeedSameTextDifferentSeedDifferentText() throws Exception {
        Path model = SharedData.require("models/stories260K/stories260K.bin");
        String a = JSON.readTree(CliRunner.run("generate", "-m", model.toString(), "-p", "Once", "-n", "30", "--seed", "1", "--json").out()).get("text").asText();
        String b = JSON.readTree(CliRunner.run("generate", "-m", model.toString(), "-p", "Once", "-n", "30", "--seed", "1", "--json").out()).get("text").asText();
        String c = JSON.readTree(CliRunner.run("generate", "-m", model.toString(), "-p", "Once", "-n", "30", "--seed", "2", "--json").out()).get("text").asText();
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
    }

    @Test
    void convertedFormsGenerateTheReferenceText() throws Exception {
        Path bin = SharedData.require("models/stories260K/stories260K.bin");
        Path tok = SharedData.require("models/stories260K/tok512.model");
        JsonNode ref = JSON.readTree(SharedData.require("reference/stories260K/greedy.json").toFile()).get("results").get(1);
        Path gguf = dir.resolve("s.gguf");
        Path hf = dir.resolve("hf");
        assertThat(CliRunner.run("convert", bin.toString(), gguf.toString()).exitCode()).isZero();
        assertThat(CliRunner.run("convert", gguf.toString(), hf.toString(), "--tokenizer", tok.toString()).exitCode()).isZero();
        for (Path m : new Path[] {gguf, hf}) {
            JsonNode out = JSON.readTree(CliRunner.run("generate", "-m", m.toString(), "-p", ref.get("prompt").asText(),
                    "-n", "64", "--temp", "0", "--ignore-eos", "--json").out());
            assertThat(out.get("tokens")).as(m.toString()).isEqualTo(ref.get("generated_ids"));
        }
    }
}
