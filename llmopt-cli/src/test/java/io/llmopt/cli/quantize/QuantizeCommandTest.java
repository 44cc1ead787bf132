package io.llmopt.cli.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.cli.Json;
import io.llmopt.cli.Main;
import io.llmopt.compress.imatrix.ImatrixFile;
import io.llmopt.formats.gguf.GgufFile;
import io.llmopt.testkit.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmopt quantize} and {@code llmopt imatrix} end to end: files, logs, JSON, and one-line errors. */
class QuantizeCommandTest {
    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
    }

    /** Runs the CLI with these commands registered as Main will register them. */
    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static void assertOneLineError(Run r, String... fragments) {
        assertThat(r.exitCode()).isEqualTo(1);
        String err = r.err().strip();
        assertThat(err.lines().count()).as(err).isEqualTo(1);
        assertThat(err).startsWith("error: ");
        for (String f : fragments) {
            assertThat(err).contains(f);
        }
    }

    @Test
    void q4_K_MOfTheReferenceModelIsLlamaQuantizesFile() throws Exception {
        Path f32 = SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf");
        Path theirs = SharedData.require("models/ref-tinystories/ref-tinystories-Q4_K_M.gguf");
        Path out = dir.resolve("q4km.gguf");
        Run r = run("quantize", f32.toString(), out.toString(), "Q4_K_M", "-t", "2", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.get("type").asText()).isEqualTo("Q4_K_M");
        assertThat(j.get("file_type").asInt()).isEqualTo(15);
        assertThat(j.get("file_bytes").asLong()).isEqualTo(Files.size(theirs));
        assertThat(j.get("tensors")).hasSize(48);
        Map<String, Integer> types = new TreeMap<>();
        j.get("tensors").forEach(t -> types.merge(t.get("type").asText(), 1, Integer::sum));
        assertThat(types).isEqualTo(Map.of("F32", 11, "Q4_K", 32, "Q6_K", 5));
        assertThat(j.get("bits_per_weight").asDouble()).isBetween(4.7, 4.9);
        assertThat(Files.mismatch(out, theirs)).isEqualTo(-1);
    }

    @Test
    void logsEachTensorAndTheFallbacksOfStories260K() {
        Path f32 = SharedData.require("models/stories260K/stories260K-f32.gguf");
        Path out = dir.resolve("s.gguf");
        Run r = run("quantize", f32.toString(), out.toString(), "q4_k", "-t", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("[ 1/48] output.weight").contains("F32    -> Q8_0")
                .contains("blk.0.ffn_down.weight").contains("F32    -> F16")
                .contains("tensor cols 172 x 64 are not divisible by 256, required for q4_k - using fallback quantization f16")
                .contains("wrote " + out + ": Q4_K_M (file type 15), 48 tensors (37 quantized, 36 fallbacks)");
        try (GgufFile g = GgufFile.open(out)) {
            assertThat(g.metadata().getLong("general.file_type")).isEqualTo(15);
            assertThat(g.metadata().getLong("general.quantization_version")).isEqualTo(2);
        }
    }

    @Test
    void imatrixThenQuantizeWithIt() throws Exception {
        Path model = SharedData.require("models/stories260K/stories260K-f32.gguf");
        Path text = SharedData.require("data/tinystories-v2-gpt4-valid-first100.txt");
        Path imatrix = dir.resolve("imatrix.dat");
        Run r = run("imatrix", "-m", model.toString(), "-f", text.toString(), "-c", "64", "--chunks", "8", "-t", "1",
                "-o", imatrix.toString(), "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.get("chunks").asInt()).isEqualTo(8);
        assertThat(j.get("entries").asInt()).isEqualTo(35);
        assertThat(j.get("perplexity").asDouble()).isBetween(2.0, 30.0);
        ImatrixFile f = ImatrixFile.read(imatrix);
        assertThat(f.chunks()).isEqualTo(8);
        assertThat(f.dataset()).isEqualTo(text.toString());
        assertThat(f.entries().get("blk.2.ffn_down.weight").values()).hasSize(172);
        Path out = dir.resolve("q.gguf");
        Run q = run("quantize", model.toString(), out.toString(), "Q4_0", "--imatrix", imatrix.toString(), "--json");
        assertThat(q.exitCode()).as(q.err()).isZero();
        JsonNode report = Json.MAPPER.readTree(q.out());
        assertThat(report.get("imatrix").asText()).isEqualTo(imatrix.toString());
        try (GgufFile g = GgufFile.open(out)) {
            assertThat(g.metadata().getLong("quantize.imatrix.entries_count")).isEqualTo(35);
            assertThat(g.metadata().getLong("quantize.imatrix.chunks_count")).isEqualTo(8);
        }
    }

    @Test
    void nf4WritesAHuggingFaceDirectoryThatLoadsAsNf4() throws Exception {
        Path hf = SharedData.require("models/stories260K/stories260K-hf");
        Path out = dir.resolve("nf4");
        Run r = run("quantize", hf.toString(), out.toString(), "nf4", "--double-quant", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertThat(j.get("type").asText()).isEqualTo("NF4+DQ");
        assertThat(j.get("file_type").isNull()).isTrue();
        assertThat(out.resolve("model.safetensors")).exists();
        assertThat(out.resolve("tokenizer.model")).exists();
        Run g = run("generate", "-m", out.toString(), "-p", "Once upon a time", "-n", "8", "--temp", "0");
        assertThat(g.exitCode()).as(g.err()).isZero();
        assertOneLineError(run("quantize", hf.toString(), dir.resolve("x").toString(), "INT8", "--double-quant"),
                "double quantization applies to NF4 and FP4 only");
        assertOneLineError(run("quantize", hf.toString(), dir.resolve("x").toString(), "NF4", "--pure"),
                "apply to GGUF types, not to NF4");
        assertOneLineError(run("quantize", hf.toString(), dir.resolve("y.gguf").toString(), "Q4_0", "--double-quant"),
                "--double-quant applies to NF4 and FP4 only");
    }

    @Test
    void badInputIsOneLineError() throws Exception {
        Path f32 = SharedData.require("models/stories260K/stories260K-f32.gguf");
        Path q8 = SharedData.require("models/stories260K/stories260K-Q8_0.gguf");
        Path out = dir.resolve("x.gguf");
        assertOneLineError(run("quantize", f32.toString(), out.toString(), "Q4_X"), "unknown quantization type 'Q4_X'");
        assertOneLineError(run("quantize", q8.toString(), out.toString(), "Q4_0"), "requantizing is not supported");
        assertOneLineError(run("quantize", f32.toString(), out.toString(), "Q4_K_M", "--imatrix",
                SharedData.require("models/ref-tinystories/ref-tinystories-imatrix.dat").toString()),
                "importance matrix does not match the model");
        assertOneLineError(run("quantize", f32.toString(), out.toString(), "Q4_0", "--output-type", "iq1_s"),
                "--output-type: llmopt cannot write tensors of type IQ1_S");
        assertOneLineError(run("quantize", dir.resolve("missing.gguf").toString(), out.toString(), "Q4_0"), "no such file");
        Path notImatrix = dir.resolve("text.dat");
        Files.writeString(notImatrix, "not an importance matrix");
        assertOneLineError(run("quantize", f32.toString(), out.toString(), "Q4_0", "--imatrix", notImatrix.toString()), "text.dat");
        assertOneLineError(run("imatrix", "-m", f32.toString(), "-f", notImatrix.toString(), "-c", "64"), "needs at least 128");
        assertThat(out).doesNotExist();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("text.dat");
        }
    }
}
