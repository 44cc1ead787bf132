package io.llmopt.eval.mc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Task lines in every accepted layout become the requests lm-evaluation-harness builds. */
class McTaskReaderTest {

    @Test
    void readsEveryLayout(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("task.jsonl");
        Files.write(f, List.of(
                "{\"context\": \"The cat sat on the\", \"choices\": [\"mat.\", \"moon.\"], \"gold\": 0}",
                "",
                "{\"ind\": 24, \"activity_label\": \"Roof shingle removal\", \"ctx_a\": \"A man is sitting on a roof.\", \"ctx_b\": \"he\","
                        + " \"endings\": [\"is using wrap to wrap a pair of skis.\", \"is ripping level tiles off.\", \"is holding a rubik's cube.\","
                        + " \"starts pulling up roofing on a roof.\"], \"label\": \"3\"}",
                "{\"id\": \"Mercury_7175875\", \"question\": \"An astronomer observes that a planet rotates faster after a meteorite impact. Which is the most likely effect of this increase in rotation?\","
                        + " \"choices\": {\"text\": [\"Planetary density will decrease.\", \"Planetary years will become longer.\", \"Planetary days will become shorter.\","
                        + " \"Planetary gravity will become stronger.\"], \"label\": [\"A\", \"B\", \"C\", \"D\"]}, \"answerKey\": \"C\"}",
                "{\"question\": \"Find the degree for the given field extension Q(sqrt(2)) over Q.\", \"subject\": \"abstract_algebra\","
                        + " \"choices\": [\"0\", \"2\", \"1\", \"3\"], \"answer\": 1}",
                "{\"sentence\": \"Sarah was a much better surgeon than Maria so _ always got the harder cases.\", \"option1\": \"Sarah\","
                        + " \"option2\": \"Maria\", \"answer\": \"1\"}"));
        List<McItem> items = McTaskReader.read(f, null, 0);
        assertThat(items).hasSize(5);

        McItem generic = items.get(0);
        assertThat(generic.choices().get(0)).isEqualTo(new McChoice("The cat sat on the", " mat.", "mat."));
        assertThat(generic.id()).isEqualTo("line-1");

        McItem hellaswag = items.get(1);
        assertThat(hellaswag.id()).isEqualTo("24");
        assertThat(hellaswag.gold()).isEqualTo(3);
        assertThat(hellaswag.choices().get(3).context()).isEqualTo("Roof shingle removal: A man is sitting on a roof. He");
        assertThat(hellaswag.choices().get(3).continuation()).isEqualTo(" starts pulling up roofing on a roof.");

        McItem arc = items.get(2);
        assertThat(arc.gold()).isEqualTo(2);
        assertThat(arc.choices().get(2).context()).startsWith("Question: An astronomer").endsWith("?\nAnswer:");
        assertThat(arc.choices().get(2).continuation()).isEqualTo(" Planetary days will become shorter.");

        McItem mmlu = items.get(3);
        assertThat(mmlu.gold()).isEqualTo(1);
        assertThat(mmlu.choices().get(1).context()).isEqualTo("The following are multiple choice questions (with answers) about abstract algebra.\n\n"
                + "Find the degree for the given field extension Q(sqrt(2)) over Q.\nA. 0\nB. 2\nC. 1\nD. 3\nAnswer:");
        assertThat(mmlu.choices().get(1).continuation()).isEqualTo(" B");

        McItem wino = items.get(4);
        assertThat(wino.gold()).isZero();
        assertThat(wino.choices().get(1).context()).isEqualTo("Sarah was a much better surgeon than Maria so Maria");
        assertThat(wino.choices().get(1).continuation()).isEqualTo(" always got the harder cases.");
    }

    @Test
    void hellaswagPreprocessingFollowsTheHarness() {
        assertThat(McFormat.preprocess("  Making a cake [title] Mix the flour.  [step] Stir  ")).isEqualTo("Making a cake. Mix the flour.  Stir");
        assertThat(McFormat.capitalize("then THE man")).isEqualTo("Then the man");
    }

    @Test
    void aBadLineIsNamedByNumber(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.write(f, List.of("{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"gold\": 0}", "{\"context\": \"a\", \"choices\": [\"b\"", ""));
        assertThatThrownBy(() -> McTaskReader.read(f, null, 0)).isInstanceOf(LlmoptException.class)
                .hasMessageStartingWith(f + ":2: not valid JSON");

        Files.write(f, List.of("{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"gold\": 0}", "", "{\"context\": \"a\", \"choices\": [\"b\", \"c\"]}"));
        assertThatThrownBy(() -> McTaskReader.read(f, null, 0)).isInstanceOf(LlmoptException.class)
                .hasMessage(f + ":3: missing field 'gold'");

        Files.write(f, List.of("{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"gold\": 2}"));
        assertThatThrownBy(() -> McTaskReader.read(f, McFormat.GENERIC, 0)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining(":1: field 'gold' = 2 is not in 0..1");

        Files.write(f, List.of("{\"text\": \"hello\"}"));
        assertThatThrownBy(() -> McTaskReader.read(f, null, 0)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining(":1: cannot tell the task format");
    }

    @Test
    void limitStopsEarly(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.jsonl");
        Files.write(f, List.of("{\"context\": \"a\", \"choices\": [\"b\", \"c\"], \"gold\": 0}", "{\"context\": \"d\", \"choices\": [\"e\", \"f\"], \"gold\": 1}", "not json"));
        assertThat(McTaskReader.read(f, McFormat.GENERIC, 2)).hasSize(2);
    }
}
