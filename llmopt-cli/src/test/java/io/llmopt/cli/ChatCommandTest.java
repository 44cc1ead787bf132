package io.llmopt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.testkit.SharedData;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChatCommandTest {

    private static CliRunner chat(String input, String... args) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return CliRunner.run(args);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void twoTurnsWithATemplateThenExit() {
        String model = SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf").toString();
        String template = SharedData.require("chat-templates/hf-llama3.chat_template.jinja").toString();
        CliRunner r = chat("Tell me a story\nAnd then?\n/exit\n", "chat", "-m", model, "--chat-template", template,
                "-n", "12", "--temp", "0", "-c", "256");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().split("> ", -1)).as(r.out()).hasSize(4); // three prompts: two turns and the exit
        String[] replies = r.out().split("> ");
        assertThat(replies[1].strip()).isNotEmpty();
        assertThat(replies[2].strip()).isNotEmpty();
    }

    @Test
    void warmUpChangesNoReply() {
        String model = SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf").toString();
        String template = SharedData.require("chat-templates/hf-llama3.chat_template.jinja").toString();
        String input = "Tell me a story\nAnd then?\n/exit\n";
        CliRunner on = chat(input, "chat", "-m", model, "--chat-template", template, "-n", "12", "--temp", "0", "-c", "256", "--warmup", "on");
        CliRunner off = chat(input, "chat", "-m", model, "--chat-template", template, "-n", "12", "--temp", "0", "-c", "256", "--warmup", "off");
        assertThat(on.exitCode()).as(on.err()).isZero();
        assertThat(off.exitCode()).as(off.err()).isZero();
        assertThat(on.out()).isEqualTo(off.out());
        // exit before the first message: the warm-up is stopped and the session closes cleanly
        CliRunner quit = chat("/exit\n", "chat", "-m", model, "--chat-template", template, "--warmup", "on");
        assertThat(quit.exitCode()).as(quit.err()).isZero();
    }

    @Test
    void badWarmUpModeIsAClearError() {
        CliRunner r = chat("hi\n", "chat", "-m", "no-such-model.gguf", "--warmup", "sometimes");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("--warmup must be auto, on or off, got 'sometimes'");
    }

    @Test
    void modelWithoutTemplateIsAClearError() {
        String model = SharedData.require("models/stories260K/stories260K-f32.gguf").toString();
        CliRunner r = chat("hi\n", "chat", "-m", model);
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("no chat template").contains("--chat-template");
    }
}
