package io.llmopt.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.cli.Main;
import io.llmopt.eval.LogitsFileHeader;
import io.llmopt.eval.LogitsFileWriter;
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

/** {@code llmopt eval …} end to end on stories260K, through Main's error handling. */
class EvalCommandTest {
    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    static String model(String name) {
        return SharedData.require("models/stories260K/" + name).toString();
    }

    static String text(String name) {
        return SharedData.require("data/" + name).toString();
    }

    @Test
    void pplPrintsJsonWithTheRequiredFields() throws IOException {
        Run r = run("eval", "ppl", "-m", model("stories260K-f32.gguf"), "-f", text("tinystories-v2-gpt4-valid-first100.txt"),
                "-c", "128", "--chunks", "10", "-t", "2", "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("ppl").asDouble()).isBetween(3.0, 12.0);
        assertThat(j.get("ppl_stderr").asDouble()).isPositive();
        assertThat(j.get("chunks").asInt()).isEqualTo(10);
        assertThat(j.get("tokens_scored").asInt()).isEqualTo(10 * 63);
        assertThat(j.get("ctx").asInt()).isEqualTo(128);
        assertThat(j.get("complete").asBoolean()).isTrue();
    }

    @Test
    void saveLogitsThenKlDivergence(@TempDir Path dir) throws IOException {
        String base = dir.resolve("base.kld").toString();
        Run saved = run("eval", "ppl", "-m", model("stories260K-f32.gguf"), "-f", text("tinystories-v2-gpt4-valid-first100.txt"),
                "-c", "128", "--chunks", "8", "--save-logits", base);
        assertThat(saved.exit()).as(saved.err()).isZero();
        assertThat(saved.out()).contains("Final estimate: PPL = ").contains("saved base log-probs");

        Run self = run("eval", "ppl", "-m", model("stories260K.bin"), "--kl-divergence", base, "--json");
        assertThat(self.exit()).as(self.err()).isZero();
        JsonNode kl = new ObjectMapper().readTree(self.out()).get("kl_divergence");
        assertThat(Math.abs(kl.get("kld_mean").asDouble())).isLessThan(1e-6);
        assertThat(kl.get("same_top_p").asDouble()).isEqualTo(1.0);

        Run q4 = run("eval", "ppl", "-m", model("stories260K-Q4_0.gguf"), "--kl-divergence", base, "-f",
                text("tinystories-v2-gpt4-valid-first100.txt"));
        assertThat(q4.exit()).as(q4.err()).isZero();
        System.out.println(q4.out());
        assertThat(q4.out()).contains("Mean    KLD:").contains("Same top p:").contains("Mean PPL(Q)/PPL(base)");

        String one = dir.resolve("one.kld").toString();
        assertThat(run("eval", "ppl", "-m", model("stories260K-f32.gguf"), "-f", text("tinystories-v2-gpt4-valid-first100.txt"),
                "-c", "128", "--chunks", "1", "--save-logits", one).exit()).isZero();
        Run oneChunk = run("eval", "ppl", "-m", model("stories260K-Q8_0.gguf"), "--kl-divergence", one, "--json");
        assertThat(oneChunk.exit()).as(oneChunk.err()).isZero();
        assertThat(new ObjectMapper().readTree(oneChunk.out()).get("chunks").asInt()).isEqualTo(1);

        Run otherText = run("eval", "ppl", "-m", model("stories260K-Q4_0.gguf"), "--kl-divergence", base, "-f",
                text("wikitext-2-raw-v1-test.txt"));
        assertThat(otherText.exit()).isEqualTo(1);
        assertThat(otherText.err()).startsWith("error: ").contains("different text");
    }

    @Test
    void badInputGivesOneLineErrors(@TempDir Path dir) throws IOException {
        Path shortText = dir.resolve("short.txt");
        Files.writeString(shortText, "Once upon a time there was a cat.");
        Run tooShort = run("eval", "ppl", "-m", model("stories260K-f32.gguf"), "-f", shortText.toString(), "-c", "128");
        assertThat(tooShort.exit()).isEqualTo(1);
        assertThat(tooShort.err().strip()).startsWith("error: the text has").contains("needs at least 256 (2·ctx) tokens").doesNotContain("\n");

        Path task = dir.resolve("task.jsonl");
        Files.write(task, List.of("{\"context\": \"A\", \"choices\": [\"b\", \"c\"], \"gold\": 0}", "{\"context\": \"A\", \"choices\": "));
        Run malformed = run("eval", "mc", "-m", model("stories260K-f32.gguf"), "--task", task.toString());
        assertThat(malformed.exit()).isEqualTo(1);
        assertThat(malformed.err().strip()).isEqualTo("error: " + task + ":2: not valid JSON (Unexpected end-of-input within/between Object entries)");

        Path foreign = dir.resolve("foreign.kld");
        LogitsFileHeader h = new LogitsFileHeader(50, 8, 0, 1, 4, 1, new int[] {1, 2}, 1, "other");
        try (LogitsFileWriter w = new LogitsFileWriter(foreign, h)) {
            w.accept(new float[50], 0, 50, 3, Math.log(50));
            w.finish();
        }
        Run vocab = run("eval", "ppl", "-m", model("stories260K-f32.gguf"), "--kl-divergence", foreign.toString());
        assertThat(vocab.exit()).isEqualTo(1);
        assertThat(vocab.err().strip()).startsWith("error: " + foreign).contains("vocabulary of 50 tokens but the model has 512");
    }

    @Test
    void makeClozeThenScoreIt(@TempDir Path dir) throws IOException {
        Path task = dir.resolve("cloze.jsonl");
        Run made = run("eval", "make-cloze", "-f", text("tinystories-validation-head.txt"), "-o", task.toString(), "--items", "12", "--seed", "7");
        assertThat(made.exit()).as(made.err()).isZero();
        assertThat(made.out()).startsWith("wrote 12 items with 4 choices each");
        assertThat(Files.readAllLines(task)).hasSize(12);

        Run scored = run("eval", "mc", "-m", model("stories260K-f32.gguf"), "--task", task.toString(), "--json");
        assertThat(scored.exit()).as(scored.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(scored.out());
        assertThat(j.get("items").asInt()).isEqualTo(12);
        assertThat(j.get("chance").asDouble()).isEqualTo(0.25);
        assertThat(j.has("acc_norm_stderr")).isTrue();
        Run text = run("eval", "mc", "-m", model("stories260K-f32.gguf"), "--task", task.toString(), "--limit", "3");
        assertThat(text.out()).contains("3 of 3 items").contains("acc_norm");
    }
}
