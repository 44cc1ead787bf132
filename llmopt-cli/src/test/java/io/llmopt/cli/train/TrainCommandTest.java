package io.llmopt.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.cli.Main;
import io.llmopt.formats.hf.HfConfig;
import io.llmopt.model.loader.HfConfigs;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import io.llmopt.train.ModelParameters;
import io.llmopt.train.checkpoint.CheckpointFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code llmopt train} end to end on tiny configs: JSON summary, loadable outputs, resume, bad input. */
class TrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = TrainCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** The first ~40 stories of the shared training text. */
    static Path smallText(Path dir, String name, int chars) throws Exception {
        String all = Files.readString(SharedData.require("data/tinystories-train.txt"), StandardCharsets.UTF_8);
        Path p = dir.resolve(name);
        Files.writeString(p, all.substring(0, chars));
        return p;
    }

    private Path tinyConfig() throws Exception {
        Path c = dir.resolve("config.json");
        Files.writeString(c, """
                {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 32, "intermediate_size": 64,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 512,
                 "max_position_embeddings": 64, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "tie_word_embeddings": true}
                """);
        return c;
    }

    @Test
    void randomInitTrainsAndWritesLoadableModels() throws Exception {
        Path train = smallText(dir, "train.txt", 30_000);
        Path valid = dir.resolve("valid.txt");
        Files.writeString(valid, Files.readString(SharedData.require("data/tinystories-v2-gpt4-valid-first100.txt")).substring(0, 8000));
        Path tok = SharedData.require("models/stories260K/tok512.model");
        Path out = dir.resolve("run");
        Path config = tinyConfig();
        Run r = run("train", "--config", config.toString(), "--tokenizer", tok.toString(), "-f", train.toString(),
                "--valid", valid.toString(), "--steps", "12", "--batch", "4", "--seq-len", "32", "--lr", "1e-2", "--eval-every", "6",
                "--format", "both", "-o", out.toString(), "--json", "-t", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("steps").asInt()).isEqualTo(12);
        assertThat(j.get("valid_loss_last").asDouble()).isLessThan(j.get("valid_loss_first").asDouble());
        assertThat(j.get("train_loss_last").asDouble()).isPositive();
        assertThat(j.get("output").asText()).isEqualTo(out.resolve("model.gguf").toString());
        assertThat(r.err()).contains("step 12/12").contains("validation after 6 steps");
        JsonNode log = JSON.readTree(out.resolve("train_log.json").toFile());
        assertThat(log.get("train_loss")).hasSize(12);
        assertThat(log.get("valid_steps").toString()).isEqualTo("[0,6,12]");

        // both outputs load and compute the trained parameters' logits (trained in the config's rotate-half layout;
        // the GGUF holds the q/k rows permuted to llama.cpp's interleaved layout)
        ModelParameters trained = new ModelParameters(HfConfigs.toLlamaConfig(HfConfig.read(config), "config"),
                CheckpointFile.read(out.resolve("checkpoint.bin")).params());
        WorkerPool pool = new WorkerPool(1);
        try {
            int[] tokens = {1, 403, 407, 261, 378, 432};
            LlamaModel ref = new LlamaModel(trained.config(), trained.toWeights(), KernelProvider.get(), pool);
            float[] expected = ref.forward(ref.newState(8, 8), tokens, 0, tokens.length, 0, false).clone();
            for (Path model : new Path[] {out.resolve("model.gguf"), out.resolve("hf")}) {
                try (LoadedModel m = ModelLoader.load(model)) {
                    LlamaModel lm = new LlamaModel(m.config(), m.weights(), KernelProvider.get(), pool);
                    float[] logits = lm.forward(lm.newState(8, 8), tokens, 0, tokens.length, 0, false).clone();
                    for (int i = 0; i < logits.length; i++) {
                        assertThat((double) logits[i]).as(model.toString()).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
                    }
                    assertThat(m.tokenizer().encode("Once upon a time", true, false)).containsExactly(1, 403, 407, 261, 378);
                }
            }
        } finally {
            pool.shutdown();
        }

        // llmopt generate runs the trained GGUF
        StringWriter gen = new StringWriter();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(gen, true));
        cli.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(cli.execute("generate", "-m", out.resolve("model.gguf").toString(), "-p", "Once", "-n", "8", "--json")).isZero();
        assertThat(JSON.readTree(gen.toString()).get("tokens")).hasSize(8);
    }

    @Test
    void continuesTrainingARealModelAndRefusesToClobberOrResumeBadCheckpoints() throws Exception {
        Path train = smallText(dir, "train.txt", 20_000);
        Path model = SharedData.require("models/stories260K/stories260K.bin");
        Path out = dir.resolve("run");
        String[] args = {"train", "-m", model.toString(), "-f", train.toString(), "--steps", "3", "--batch", "2", "--seq-len", "32",
            "--lr", "1e-4", "-o", out.toString(), "-t", "1"};
        Run first = run(args);
        assertThat(first.exitCode()).as(first.err()).isZero();
        assertThat(first.out()).contains("train: 3 steps");

        Run again = run(args);
        assertOneLineError(again, "checkpoint.bin exists: continue that run with --resume");

        Path ckpt = out.resolve("checkpoint.bin");
        byte[] good = Files.readAllBytes(ckpt);
        byte[] bad = good.clone();
        bad[bad.length / 3] ^= 1;
        Files.write(ckpt, bad);
        String[] resume = java.util.Arrays.copyOf(args, args.length + 1);
        resume[args.length] = "--resume";
        assertOneLineError(run(resume), "corrupted checkpoint: checksum mismatch");
        assertThat(Files.readAllBytes(ckpt)).isEqualTo(bad);

        Files.write(ckpt, good);
        String[] otherLr = resume.clone();
        otherLr[java.util.Arrays.asList(resume).indexOf("1e-4")] = "1e-3";
        assertOneLineError(run(otherLr), "the checkpoint was written with --lr 1.0E-4, this run has 0.001");
        Run resumed = run(resume);
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("resuming from").contains("at step 3");
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "\n<|endoftext|>\n  ");
        Path model = SharedData.require("models/stories260K/stories260K.bin");
        assertOneLineError(run("train", "-m", model.toString(), "-f", empty.toString(), "--steps", "2", "-o", dir.resolve("a").toString()),
                "empty.txt: no text to train on");
        Path tiny = dir.resolve("tiny.txt");
        Files.writeString(tiny, "Hi.");
        assertOneLineError(run("train", "-m", model.toString(), "-f", tiny.toString(), "--steps", "2", "-o", dir.resolve("b").toString()),
                "fewer than one window of --seq-len 256");
        assertOneLineError(run("train", "--preset", "stories260k", "-f", tiny.toString(), "--steps", "2", "-o", dir.resolve("c").toString()),
                "needs --tokenizer");
        assertOneLineError(run("train", "-m", model.toString(), "-f", tiny.toString(), "--steps", "0", "-o", dir.resolve("d").toString()),
                "--steps must be positive");
        assertOneLineError(run("train", "-m", model.toString(), "-f", tiny.toString(), "--steps", "2", "--format", "onnx", "-o",
                dir.resolve("e").toString()), "--format must be gguf, hf or both");
        assertOneLineError(run("train", "-m", model.toString(), "-f", tiny.toString(), "--steps", "2", "--resume", "-o",
                dir.resolve("f").toString()), "no checkpoint to resume from");
    }

    static void assertOneLineError(Run r, String... fragments) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        String err = r.err().strip();
        assertThat(err.lines().filter(l -> l.startsWith("error: ")).count()).as(err).isEqualTo(1);
        String line = err.lines().filter(l -> l.startsWith("error: ")).findFirst().orElseThrow();
        assertThat(err.lines().noneMatch(l -> l.startsWith("\tat "))).as(err).isTrue();
        for (String f : fragments) {
            assertThat(line).contains(f);
        }
    }
}
