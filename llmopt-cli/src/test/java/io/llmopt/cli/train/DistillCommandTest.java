package io.llmopt.cli.train;

import static io.llmopt.cli.train.TrainCommandTest.assertOneLineError;
import static io.llmopt.cli.train.TrainCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.cli.Main;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.testkit.SharedData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DistillCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void studentFromEveryOtherTeacherLayerFromAQuantizedTeacher() throws Exception {
        Path teacher = SharedData.require("models/stories260K/stories260K-Q8_0.gguf");
        Path train = TrainCommandTest.smallText(dir, "train.txt", 20_000);
        Path out = dir.resolve("student");
        TrainCommandTest.Run r = run("distill", "--teacher", teacher.toString(), "--student-from-teacher", "2", "-f", train.toString(),
                "--valid", train.toString(), "--eval-windows", "4", "--steps", "4", "--batch", "2", "--seq-len", "32", "--temperature", "2",
                "--alpha", "0.7", "--reverse-kl", "-o", out.toString(), "--json", "-t", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("steps").asInt()).isEqualTo(4);
        assertThat(j.get("kl").asText()).isEqualTo("reverse");
        assertThat(j.get("config").get("num_layers").asInt()).isEqualTo(3);
        assertThat(j.has("valid_loss_first") && j.has("valid_loss_last") && j.has("train_loss_last")).isTrue();
        try (LoadedModel m = ModelLoader.load(out.resolve("model.gguf"))) {
            assertThat(m.config().numLayers()).isEqualTo(3);
            assertThat(m.tokenizer().encode("Once upon a time", true, false)).containsExactly(1, 403, 407, 261, 378);
        }
    }

    @Test
    void aStudentWithAnotherVocabularyIsRejected() throws Exception {
        Path teacher = SharedData.require("models/stories260K/stories260K-f32.gguf");
        Path student = dir.resolve("synthetic.gguf");
        var init = Main.commandLine();
        init.setOut(new PrintWriter(new StringWriter(), true));
        assertThat(init.execute("init", "--preset", "stories260k", "-o", student.toString(), "--type", "f32")).isZero();
        Path train = TrainCommandTest.smallText(dir, "train.txt", 5_000);
        assertOneLineError(run("distill", "--teacher", teacher.toString(), "--student", student.toString(), "-f", train.toString(),
                "--steps", "2", "-o", dir.resolve("x").toString()), "teacher and student must share the vocabulary: token 259");
        assertOneLineError(run("distill", "--teacher", teacher.toString(), "--student-preset", "llama-160m", "-f", train.toString(),
                "--steps", "2", "-o", dir.resolve("y").toString()), "the teacher has 512 tokens, the student config 32000");
        assertOneLineError(run("distill", "--teacher", teacher.toString(), "--student-from-teacher", "2", "--alpha", "2", "-f",
                train.toString(), "--steps", "2", "-o", dir.resolve("z").toString()), "--alpha must be in [0, 1]");
    }

    @Test
    void topKTeacherCacheIsFilledOnceAndServesTheNextRun() throws Exception {
        Path teacher = SharedData.require("models/stories260K/stories260K-f32.gguf");
        Path train = TrainCommandTest.smallText(dir, "train.txt", 20_000);
        Path cache = dir.resolve("cache");
        String[] common = {"distill", "--teacher", teacher.toString(), "--student-from-teacher", "2", "-f", train.toString(),
            "--steps", "3", "--batch", "2", "--seq-len", "32", "--teacher-topk", "16", "--teacher-cache", cache.toString(),
            "--json", "-t", "2"};
        TrainCommandTest.Run first = run(concat(common, "-o", dir.resolve("a").toString(), "--temperature", "2"));
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.err()).contains("6 windows stored, 0 served from the cache, 6 computed");
        TrainCommandTest.Run second = run(concat(common, "-o", dir.resolve("b").toString(), "--temperature", "1", "--student-ffn", "100"));
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(second.err()).contains("6 windows stored, 6 served from the cache, 0 computed");
        assertThat(JSON.readTree(second.out()).get("teacher_topk").asInt()).isEqualTo(16);
        assertThat(JSON.readTree(second.out()).get("config").get("intermediate_size").asInt()).isEqualTo(100);
        assertOneLineError(run(concat(common, "-o", dir.resolve("c").toString(), "--reverse-kl")), "--reverse-kl is undefined on top-k");
        assertOneLineError(run("distill", "--teacher", teacher.toString(), "--student-from-teacher", "2", "-f", train.toString(),
                "--steps", "2", "--teacher-cache", cache.toString(), "-o", dir.resolve("d").toString()), "--teacher-cache needs --teacher-topk");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
