package io.llmopt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.testkit.SharedData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input ends with exit code 1 and one line "error: …" naming the file or field — never a stack trace. */
class BadInputTest {
    @TempDir
    Path dir;

    private static void assertOneLineError(CliRunner r, String... fragments) {
        assertThat(r.exitCode()).isEqualTo(1);
        String err = r.err().strip();
        assertThat(err.lines().count()).as(err).isEqualTo(1);
        assertThat(err).startsWith("error: ");
        for (String f : fragments) {
            assertThat(err).contains(f);
        }
    }

    @Test
    void missingFile() {
        assertOneLineError(CliRunner.run("generate", "-m", dir.resolve("nope.gguf").toString(), "-p", "x"), "nope.gguf", "no such file");
    }

    @Test
    void truncatedGguf() throws Exception {
        byte[] all = Files.readAllBytes(SharedData.require("models/stories260K/stories260K-f32.gguf"));
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(all, all.length / 2));
        assertOneLineError(CliRunner.run("inspect", "-m", cut.toString()), "cut.gguf");
    }

    @Test
    void corruptSafetensorsHeader() throws Exception {
        Path src = SharedData.require("models/stories260K/stories260K-hf");
        Path hf = dir.resolve("hf");
        Files.createDirectories(hf);
        for (String f : new String[] {"config.json", "tokenizer.model", "tokenizer_config.json"}) {
            Files.copy(src.resolve(f), hf.resolve(f));
        }
        byte[] st = Files.readAllBytes(src.resolve("model.safetensors"));
        st[0] = (byte) 0xFF; // header length far past the end of the file
        st[5] = (byte) 0x7F;
        Files.write(hf.resolve("model.safetensors"), st);
        assertOneLineError(CliRunner.run("inspect", "-m", hf.toString()), "model.safetensors");
    }

    @Test
    void unknownArchitecture() throws Exception {
        Path src = SharedData.require("models/stories260K/stories260K-hf");
        Path hf = dir.resolve("hf2");
        Files.createDirectories(hf);
        for (String f : new String[] {"model.safetensors", "tokenizer.model", "tokenizer_config.json"}) {
            Files.copy(src.resolve(f), hf.resolve(f));
        }
        Files.writeString(hf.resolve("config.json"), Files.readString(src.resolve("config.json"))
                .replace("LlamaForCausalLM", "GPT2LMHeadModel").replace("\"llama\"", "\"gpt2\""));
        assertOneLineError(CliRunner.run("inspect", "-m", hf.toString()), "GPT2LMHeadModel");
    }

    @Test
    void missingTokenizer() throws Exception {
        Path bin = dir.resolve("model.bin");
        Files.copy(SharedData.require("models/stories260K/stories260K.bin"), bin);
        assertOneLineError(CliRunner.run("generate", "-m", bin.toString(), "-p", "x"), "tokenizer");
    }

    @Test
    void promptLongerThanTheContext() {
        Path model = SharedData.require("models/stories260K/stories260K-f32.gguf");
        assertOneLineError(CliRunner.run("generate", "-m", model.toString(), "-p", "Once upon a time ".repeat(40), "-c", "32"),
                "context");
    }

    @Test
    void badSamplingValue() {
        Path model = SharedData.require("models/stories260K/stories260K-f32.gguf");
        assertOneLineError(CliRunner.run("generate", "-m", model.toString(), "-p", "x", "--top-p", "1.5"), "top_p");
    }
}
