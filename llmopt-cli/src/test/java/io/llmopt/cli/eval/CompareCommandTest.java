package io.llmopt.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.cli.Main;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code llmopt compare} on stories260K and its quantized files: every report file, sensible figures. */
class CompareCommandTest {

    @Test
    void writesTheReport(@TempDir Path dir) throws IOException {
        Path task = dir.resolve("cloze.jsonl");
        Files.write(task, List.of(
                "{\"context\": \"Lily had a red ball. She liked to play with it every day.\", \"choices\": [\"She threw the ball to her dog.\", \"The sun was hot.\"], \"gold\": 0}",
                "{\"context\": \"Tom saw a big cat. The cat was black.\", \"choices\": [\"It was a sunny day.\", \"Tom gave the cat some milk.\"], \"gold\": 1}"));
        Path out = dir.resolve("report");
        CommandLine cli = Main.commandLine();
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        cli.setOut(new PrintWriter(stdout, true));
        cli.setErr(new PrintWriter(stderr, true));
        String models = "models/stories260K/";
        int exit = cli.execute("compare", "-m", SharedData.require(models + "stories260K-f32.gguf").toString(),
                "-m", SharedData.require(models + "stories260K-Q8_0.gguf").toString(),
                "-m", SharedData.require(models + "stories260K-Q4_0.gguf").toString(),
                "-f", SharedData.require("data/tinystories-v2-gpt4-valid-first100.txt").toString(), "-c", "128", "--chunks", "6",
                "--task", task.toString(), "--bench", "--bench-prompt", "32", "--bench-gen", "8", "-t", "2", "-o", out.toString());
        assertThat(exit).as(stderr.toString()).isZero();
        System.out.println(stdout);
        for (String f : List.of("report.md", "report.json", "report.html", "quality-vs-size.png", "speed.png")) {
            assertThat(out.resolve(f)).isNotEmptyFile();
        }
        assertThat(Files.list(out).filter(p -> p.toString().endsWith(".kld") || p.toString().endsWith(".tmp"))).isEmpty();
        JsonNode j = new ObjectMapper().readTree(out.resolve("report.json").toFile());
        JsonNode rows = j.get("entries");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).get("kld_mean").asDouble()).isZero();
        assertThat(rows.get(1).get("kld_mean").asDouble()).isPositive().isLessThan(rows.get(2).get("kld_mean").asDouble());
        assertThat(rows.get(2).get("bits_per_weight").asDouble()).isLessThan(rows.get(0).get("bits_per_weight").asDouble());
        assertThat(rows.get(1).get("tg_tokens_per_second").asDouble()).isPositive();
        assertThat(Files.readString(out.resolve("report.html"))).contains("data:image/png;base64,").contains("<table>");
        assertThat(stdout.toString()).contains("| model | size (MB) | bpw | PPL |");
    }
}
