package io.llmopt.cli.train;

import static io.llmopt.cli.train.TrainCommandTest.assertOneLineError;
import static io.llmopt.cli.train.TrainCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillChainTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private String[] chain(Path teacher, Path train, Path out, String chain, String... more) {
        String[] base = {"distill", "--teacher", teacher.toString(), "--chain", chain, "-f", train.toString(), "--valid",
            train.toString(), "--eval-windows", "4", "--steps", "6", "--batch", "2", "--seq-len", "32", "--lr", "3e-3",
            "-o", out.toString(), "--json", "-t", "2"};
        String[] all = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    @Test
    void twoStageChainEachStageTeachesTheNextAndResumes() throws Exception {
        Path teacher = SharedData.require("models/stories260K/stories260K-f32.gguf");
        Path train = TrainCommandTest.smallText(dir, "train.txt", 20_000);
        Path out = dir.resolve("chain");
        TrainCommandTest.Run r = run(chain(teacher, train, out, "every:2,every:2+ffn:100"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        JsonNode stages = j.get("stages");
        assertThat(stages.size()).isEqualTo(2);
        Path s1 = out.resolve("stage-1").resolve("model.gguf");
        Path s2 = out.resolve("stage-2").resolve("model.gguf");
        assertThat(stages.get(0).get("teacher").asText()).isEqualTo(teacher.toString());
        assertThat(stages.get(0).get("output").asText()).isEqualTo(s1.toString());
        // stage 2 is taught by exactly what stage 1 wrote
        assertThat(stages.get(1).get("teacher").asText()).isEqualTo(s1.toString());
        assertThat(j.get("output").asText()).isEqualTo(s2.toString());
        JsonNode log2 = JSON.readTree(out.resolve("stage-2").resolve("train_log.json").toFile());
        assertThat(log2.get("teacher_parameters").asLong()).isEqualTo(stages.get(0).get("parameters").asLong());
        for (JsonNode s : stages) {
            assertThat(s.get("steps").asInt()).isEqualTo(6);
            assertThat(s.get("train_loss_last").isNumber()).isTrue();
            assertThat(s.get("valid_loss_last").asDouble()).as(s.toString()).isLessThan(s.get("valid_loss_first").asDouble());
        }
        assertThat(stages.get(0).get("config").get("num_layers").asInt()).isEqualTo(3); // 5 teacher layers, every 2nd
        assertThat(stages.get(1).get("config").get("num_layers").asInt()).isEqualTo(2); // 3 stage-1 layers, every 2nd
        assertThat(stages.get(1).get("config").get("intermediate_size").asInt()).isEqualTo(100);
        try (LoadedModel m1 = ModelLoader.load(s1); LoadedModel m2 = ModelLoader.load(s2)) {
            assertThat(m1.config().numLayers()).isEqualTo(3);
            assertThat(m2.config().numLayers()).isEqualTo(2);
            assertThat(m2.tokenizer().encode("Once upon a time", true, false)).containsExactly(1, 403, 407, 261, 378);
        }
        assertThat(JSON.readTree(out.resolve("chain.json").toFile()).get("output").asText()).isEqualTo(s2.toString());
        byte[] stage2 = Files.readAllBytes(s2);

        // a fresh run never overwrites a chain
        assertOneLineError(run(chain(teacher, train, out, "every:2,every:2+ffn:100")), "exists: continue that chain with --resume");
        // killed before stage 2 wrote anything: --resume skips stage 1 and redoes stage 2 identically (same teacher, same seed)
        deleteTree(out.resolve("stage-2"));
        TrainCommandTest.Run again = run(chain(teacher, train, out, "every:2,every:2+ffn:100", "--resume"));
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.err()).contains("stage 1 of 2: done earlier").contains("stage 2 of 2: teacher " + s1);
        assertThat(Files.readAllBytes(s2)).isEqualTo(stage2);
        // killed after stage 2's last checkpoint but before its model: resumes from the checkpoint, same model
        Files.delete(out.resolve("stage-2").resolve("train_log.json"));
        Files.delete(s2);
        TrainCommandTest.Run last = run(chain(teacher, train, out, "every:2,every:2+ffn:100", "--resume"));
        assertThat(last.exitCode()).as(last.err()).isZero();
        assertThat(last.err()).contains("resuming from " + out.resolve("stage-2").resolve("checkpoint.bin") + " at step 6");
        assertThat(Files.readAllBytes(s2)).isEqualTo(stage2);
        assertThat(JSON.readTree(last.out()).get("stages").get(0)).isEqualTo(stages.get(0));
    }

    @Test
    void badChainsAreOneLineErrorsAndWriteNothing() throws Exception {
        Path teacher = SharedData.require("models/stories260K/stories260K-f32.gguf");
        Path train = TrainCommandTest.smallText(dir, "train.txt", 5_000);
        Path out = dir.resolve("none");
        assertOneLineError(run(chain(teacher, train, out, "")), "--chain needs at least one student");
        assertOneLineError(run(chain(teacher, train, out, "every:2,,every:2")), "--chain stage 2 is empty");
        assertOneLineError(run(chain(teacher, train, out, "every:2,layers:3")), "--chain stage 2: 'layers:3' is not a student");
        assertOneLineError(run(chain(teacher, train, out, "every:0")), "--chain stage 1: 'every:0' is not a student");
        assertOneLineError(run(chain(teacher, train, out, "every:2+ffn:x")), "is not a student");
        assertOneLineError(run(chain(teacher, train, out, "every:2,every:4")), "--chain stage 2", "K must be in 1..3");
        assertOneLineError(run(chain(teacher, train, out, "every:2+ffn:9999")), "--chain stage 1", "ffn:9999 must be in 1..");
        assertOneLineError(run(chain(teacher, train, out, "every:2,preset:llama-160m")),
                "--chain stage 2", "the teacher has 512 tokens, the student config 32000");
        assertOneLineError(run(chain(teacher, train, out, "every:2,model:" + dir.resolve("missing.gguf"))),
                "--chain stage 2", "no such file or directory");
        assertOneLineError(run(chain(teacher, train, out, "every:2", "--student-ffn", "100")), "--student-ffn does not apply to --chain");
        assertOneLineError(run(chain(teacher, train, out, "every:2", "--resume")), "no checkpoint to resume from");
        assertOneLineError(run(chain(teacher, train, out, "every:2", "--format", "onnx")), "--format must be gguf, hf or both");
        assertOneLineError(run("distill", "--teacher", teacher.toString(), "--chain", "every:2", "-f", train.toString(), "--valid",
                dir.resolve("missing.txt").toString(), "--steps", "2", "-o", out.toString()), "missing.txt: no such file");
        assertThat(out).doesNotExist();
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
