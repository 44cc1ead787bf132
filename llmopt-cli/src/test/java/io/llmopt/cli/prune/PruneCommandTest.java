package io.llmopt.cli.prune;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.compress.prune.NmCheck;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.Tensor;
import io.llmopt.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmopt prune} end to end on ref-tinystories (small calibration), and its one-line errors. */
class PruneCommandTest {
    @TempDir
    Path dir;

    private static Path model() {
        return SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf");
    }

    private static String calib() {
        return SharedData.require("data/tinystories-train.txt").toString();
    }

    @Test
    void wanda24WritesALoadableNmModelAndAJsonReport() throws Exception {
        if (!SharedData.available()) {
            System.out.println("skipped: shared data not found");
            return;
        }
        Path out = dir.resolve("w24.gguf");
        PruneCli r = PruneCli.run("-m", model().toString(), "-o", out.toString(), "--method", "wanda", "--nm", "2:4",
                "--calib", calib(), "--calib-samples", "4", "--calib-seqlen", "64", "--json", "-t", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"relativeError\"").contains("\"nmViolations\" : 0");
        assertThat(r.err()).contains("layer 5/5 pruning");
        try (LoadedModel m = ModelLoader.load(out)) {
            Tensor down = m.weights().layers().get(2).down();
            assertThat(NmCheck.violations(down.toFloatArray(), (int) down.dim(0), (int) down.dim(1), 2, 4)).isZero();
            assertThat(NmCheck.exactFraction(down.toFloatArray(), (int) down.dim(0), (int) down.dim(1), 2, 4)).isEqualTo(1.0);
        }
    }

    @Test
    void structuredHeadsWritesASmallerModel() throws Exception {
        if (!SharedData.available()) {
            System.out.println("skipped: shared data not found");
            return;
        }
        Path out = dir.resolve("heads.gguf");
        PruneCli r = PruneCli.run("-m", model().toString(), "-o", out.toString(), "--structured", "heads", "--ratio", "0.25",
                "--calib", calib(), "--calib-samples", "2", "--calib-seqlen", "64");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("heads 8 → 6, kv heads 4 → 3");
        assertThat(Files.size(out)).isLessThan(Files.size(model()));
        try (LoadedModel m = ModelLoader.load(out)) {
            assertThat(m.config().numHeads()).isEqualTo(6);
            assertThat(m.config().numKvHeads()).isEqualTo(3);
        }
    }

    @Test
    void badInputIsOneLineAndLeavesNoFile() throws Exception {
        if (!SharedData.available()) {
            System.out.println("skipped: shared data not found");
            return;
        }
        Path out = dir.resolve("bad.gguf");
        Path shortText = Files.writeString(dir.resolve("short.txt"), "Once upon a time.");
        String[][] cases = {
            {"--sparsity", "1.0"}, {"--sparsity", "-0.5"}, {"--nm", "4:4"}, {"--nm", "3:2"},
            {"--skip", "blk\\.42\\."}, {"--calib", shortText.toString()}, {"--method", "random"},
        };
        for (String[] extra : cases) {
            String[] args = new String[6 + extra.length];
            args[0] = "-m";
            args[1] = model().toString();
            args[2] = "-o";
            args[3] = out.toString();
            args[4] = "--calib-samples";
            args[5] = "2";
            System.arraycopy(extra, 0, args, 6, extra.length);
            PruneCli r = PruneCli.run(args);
            assertThat(r.exitCode()).as(String.join(" ", extra)).isNotZero();
            assertThat(r.err().strip()).as(String.join(" ", extra)).startsWith("error: ").doesNotContain("\n").doesNotContain("Exception");
            assertThat(out).doesNotExist();
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("short.txt");
        }
    }
}
