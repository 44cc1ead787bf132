package io.llmopt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.testkit.SharedData;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --sparse auto|off} on a pruned stories260K: the same greedy text either way, a report, bad values refused. */
class SparseOptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void prunedModelGeneratesTheSameTokensWithSparseExecution() throws Exception {
        Path model = SharedData.require("models/stories260K/stories260K-f32.gguf");
        Path pruned = dir.resolve("pruned.gguf");
        CliRunner p = CliRunner.run("prune", "-m", model.toString(), "-o", pruned.toString(), "--method", "magnitude",
                "--sparsity", "0.6", "--calib-samples", "1", "--calib-seqlen", "8");
        assertThat(p.exitCode()).as(p.err()).isZero();
        String[] gen = {"generate", "-m", pruned.toString(), "-p", "Once upon a time", "-n", "40", "--temp", "0", "--ignore-eos", "--json", "-t", "2"};
        CliRunner off = CliRunner.run(concat(gen, "--sparse", "off"));
        CliRunner auto = CliRunner.run(concat(gen, "--sparse", "auto"));
        assertThat(off.exitCode()).as(off.err()).isZero();
        assertThat(auto.exitCode()).as(auto.err()).isZero();
        assertThat(off.err()).doesNotContain("bitmap form");
        assertThat(auto.err()).contains("sparse: 35 matrices in bitmap form").contains("blk.*.ffn_down.weight: 5 x, 60.0 % zeros");
        JsonNode a = JSON.readTree(off.out());
        JsonNode b = JSON.readTree(auto.out());
        assertThat(b.get("tokens")).isEqualTo(a.get("tokens"));
        assertThat(a.get("tokens").size()).isEqualTo(40);

        CliRunner bench = CliRunner.run("bench", "-m", pruned.toString(), "-p", "8", "-n", "4", "-r", "1", "-t", "1", "--sparse", "auto");
        assertThat(bench.exitCode()).as(bench.err()).isZero();
        assertThat(bench.err()).contains("bitmap form");
        assertThat(bench.out()).contains("tg4");

        CliRunner dense = CliRunner.run("generate", "-m", model.toString(), "-p", "Once", "-n", "4", "--sparse", "auto");
        assertThat(dense.exitCode()).as(dense.err()).isZero();
        assertThat(dense.err()).contains("no weight matrix is sparse enough");
    }

    @Test
    void badModeIsOneLineError() {
        Path model = SharedData.require("models/stories260K/stories260K-f32.gguf");
        CliRunner r = CliRunner.run("generate", "-m", model.toString(), "-p", "Once", "-n", "2", "--sparse", "on");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("--sparse must be auto or off, got 'on'").doesNotContain("Exception");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
