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
            assertThat(e.get("warmup_runs").asInt()).isEqualTo(3); // the default
            assertThat(e.get("warmup_tokens_per_second")).hasSize(3);
            assertThat(e.get("warmup_tokens_per_second").get(0).asDouble()).isPositive();
        }
    }

    @Test
    void warmupRunsAreCountedAndReportedApartFromTheRepetitions() throws Exception {
        String model = SharedData.require("models/stories260K/stories260K-f32.gguf").toString();
        CliRunner r = CliRunner.run("bench", "-m", model, "-p", "16", "-n", "0", "-r", "3", "-t", "1", "--warmup", "0", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode pp = new ObjectMapper().readTree(r.out()).get(0);
        assertThat(pp.get("warmup_runs").asInt()).isZero();
        assertThat(pp.get("warmup_tokens_per_second")).isEmpty();
        assertThat(pp.get("samples_tokens_per_second")).hasSize(3);
        CliRunner three = CliRunner.run("bench", "-m", model, "-p", "16", "-n", "0", "-r", "1", "-t", "1", "--warmup", "3", "--json");
        JsonNode pp3 = new ObjectMapper().readTree(three.out()).get(0);
        assertThat(pp3.get("warmup_tokens_per_second")).hasSize(3);
        assertThat(pp3.get("samples_tokens_per_second")).hasSize(1);
        CliRunner bad = CliRunner.run("bench", "-m", model, "--warmup", "-1");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("--warmup must be >= 0, got -1");
    }

    @Test
    void bandwidthReportsWeightBytesPerTokenAndTheFractionOfTheReadProbe() throws Exception {
        String model = SharedData.require("models/stories260K/stories260K-f32.gguf").toString();
        CliRunner r = CliRunner.run("bench", "-m", model, "-p", "0", "-n", "8", "-r", "2", "-t", "2", "--bandwidth",
                "--bandwidth-mib", "8", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode tg = new ObjectMapper().readTree(r.out()).get(0);
        // stories260K: 5 layers of q 64×64, k and v 32×64, o 64×64, gate and up 172×64, down 64×172, then the
        // 512×64 output matrix and one 64-float embedding row, all f32
        long perLayer = 4L * (64 * 64 + 2 * 32 * 64 + 64 * 64 + 3 * 172 * 64);
        assertThat(tg.get("weight_bytes_per_token").asLong()).isEqualTo(5 * perLayer + 4L * 512 * 64 + 4L * 64);
        double tps = tg.get("tokens_per_second").asDouble();
        assertThat(tg.get("weights_gb_per_second").asDouble()).isCloseTo(tps * tg.get("weight_bytes_per_token").asLong() / 1e9,
                org.assertj.core.data.Percentage.withPercentage(1e-6));
        assertThat(tg.get("samples_read_ceiling_gb_per_second")).hasSize(2);
        double ceiling = tg.get("read_ceiling_gb_per_second").asDouble();
        assertThat(ceiling).isPositive();
        assertThat(tg.get("ceiling_fraction").asDouble()).isPositive();
        CliRunner text = CliRunner.run("bench", "-m", model, "-p", "0", "-n", "4", "-r", "1", "-t", "1", "--bandwidth",
                "--bandwidth-mib", "4");
        assertThat(text.out()).contains("of the streaming read bandwidth measured between repetitions");
    }

    @Test
    void promptGenAndDepthNameTheirTestsLikeLlamaBench() throws Exception {
        String model = SharedData.require("models/stories260K/stories260K-f32.gguf").toString();
        CliRunner r = CliRunner.run("bench", "-m", model, "-p", "16", "-n", "4", "-pg", "8,4", "-d", "0,32", "-r", "1",
                "--warmup", "0", "-t", "1", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode list = new ObjectMapper().readTree(r.out());
        assertThat(list).hasSize(6);
        String[] names = {"pp16", "tg4", "pp8+tg4", "pp16 @ d32", "tg4 @ d32", "pp8+tg4 @ d32"};
        int[][] counts = {{16, 0, 0}, {0, 4, 0}, {8, 4, 0}, {16, 0, 32}, {0, 4, 32}, {8, 4, 32}};
        for (int i = 0; i < names.length; i++) {
            JsonNode e = list.get(i);
            assertThat(e.get("test").asText()).isEqualTo(names[i]);
            assertThat(e.get("n_prompt").asInt()).isEqualTo(counts[i][0]);
            assertThat(e.get("n_gen").asInt()).isEqualTo(counts[i][1]);
            assertThat(e.get("n_depth").asInt()).isEqualTo(counts[i][2]);
            assertThat(e.get("tokens_per_second").asDouble()).isPositive();
        }
        CliRunner text = CliRunner.run("bench", "-m", model, "-p", "0", "-n", "0", "-pg", "4,2", "-d", "8", "-r", "1",
                "--warmup", "0", "-t", "1");
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("| pp4+tg2 @ d8 |");
    }

    @Test
    void badPromptGenOrDepthIsAOneLineError() {
        String model = SharedData.require("models/stories260K/stories260K-f32.gguf").toString();
        for (String bad : new String[] {"8", "8,0", "a,4", "8,4,2"}) {
            CliRunner r = CliRunner.run("bench", "-m", model, "-pg", bad);
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.err()).contains("-pg expects PP,TG with two token counts >= 1 (e.g. -pg 512,128), got '" + bad + "'");
        }
        CliRunner d = CliRunner.run("bench", "-m", model, "-d", "-3");
        assertThat(d.exitCode()).isNotZero();
        assertThat(d.err()).contains("-d must be >= 0, got -3");
    }
}
