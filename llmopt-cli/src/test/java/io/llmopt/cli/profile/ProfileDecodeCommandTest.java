package io.llmopt.cli.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.cli.Main;
import io.llmopt.testkit.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ProfileDecodeCommandTest {
    @Test
    void splitsTheTokenIntoStagesThatAddUpToTheWallTime() {
        String model = SharedData.require("models/stories260K/stories260K-f32.gguf").toString();
        var cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("profile-decode", "-m", model, "-n", "8", "-r", "2", "-t", "2");
        assertThat(code).as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text).contains("| ATTN_QKV |", "| FFN_GATE_UP |", "| FFN_DOWN F32 ", "| OUTPUT |", "dispatches/token");
        Matcher wall = Pattern.compile("wall ([0-9.]+) ms/token").matcher(text);
        assertThat(wall.find()).isTrue();
        double sum = 0;
        Matcher stage = Pattern.compile("\\| [A-Z_]+ \\| ([0-9.]+) \\| [0-9.]+ % \\|").matcher(text);
        while (stage.find()) {
            sum += Double.parseDouble(stage.group(1));
        }
        double total = Double.parseDouble(wall.group(1));
        assertThat(sum).as(text).isGreaterThan(0.5 * total).isLessThanOrEqualTo(total * 1.01 + 0.01);
    }

    @Test
    void jsonHasTheSameParts() throws Exception {
        String model = SharedData.require("models/stories260K/stories260K-f32.gguf").toString();
        var cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("profile-decode", "-m", model, "-n", "4", "-r", "1", "-t", "1", "--json");
        assertThat(code).as(err.toString()).isZero();
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
        assertThat(root.get("tokens_per_second").asDouble()).isPositive();
        assertThat(root.get("threads").asInt()).isEqualTo(1);
        assertThat(root.get("stages").findValuesAsText("stage")).contains("ATTN_QKV", "FFN_GATE_UP", "OUTPUT");
        assertThat(root.get("matmuls").size()).isPositive();
        double sum = 0;
        for (var st : root.get("stages")) {
            sum += st.get("ms_per_token").asDouble();
        }
        assertThat(sum).isCloseTo(root.get("ms_per_token").asDouble(), org.assertj.core.api.Assertions.within(0.01));
    }

    @Test
    void promptModeProfilesOneBatchAndCountsTheFlopsOfEveryToken() throws Exception {
        String model = SharedData.require("models/stories260K/stories260K-f32.gguf").toString();
        var cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("profile-decode", "-m", model, "-n", "16", "-r", "1", "-t", "2", "--prompt", "--json");
        assertThat(code).as(err.toString()).isZero();
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.toString());
        assertThat(root.get("prompt").asBoolean()).isTrue();
        for (var mm : root.get("matmuls")) {
            double ms = mm.get("ms_per_token").asDouble();
            // per prompt token: every weight read once per batch, 2 flops per weight and token (the output matrix: last token only)
            double perRead = mm.get("mb_per_token").asDouble() * 16;
            assertThat(mm.get("gb_per_second").asDouble()).isCloseTo(perRead / 16 / ms, org.assertj.core.data.Percentage.withPercentage(1e-6));
            assertThat(mm.get("gflop_per_second").asDouble()).isPositive();
            if (mm.get("matmul").asText().startsWith("FFN_DOWN")) {
                // stories260K: down is 64×172 f32 (4 bytes a weight), so flops per token = 2·weights = bytes/2
                assertThat(mm.get("gflop_per_second").asDouble()).isCloseTo(perRead / 2 / ms, org.assertj.core.data.Percentage.withPercentage(1e-6));
            }
        }
    }

    @Test
    void profilesAfterADepthOfCachedTokens() {
        String model = SharedData.require("models/stories260K/stories260K-f32.gguf").toString();
        var cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute("profile-decode", "-m", model, "-n", "8", "-r", "1", "-t", "2", "-d", "40");
        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("8 tokens × 1 runs (positions 40..47)", "| ATTENTION |");
        StringWriter json = new StringWriter();
        cli.setOut(new PrintWriter(json, true));
        assertThat(cli.execute("profile-decode", "-m", model, "-n", "4", "-r", "1", "-d", "20", "--prompt", "--json")).isZero();
        assertThat(json.toString()).contains("\"depth\" : 20");
        StringWriter bad = new StringWriter();
        cli.setErr(new PrintWriter(bad, true));
        assertThat(cli.execute("profile-decode", "-m", model, "-d", "-1")).isNotZero();
        assertThat(bad.toString()).contains("-d must be >= 0, got -1");
    }
}
