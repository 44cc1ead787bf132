package io.llmopt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.testkit.SharedData;
import io.llmopt.tokenizer.Tokenizer;
import io.llmopt.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed demo model (models/llmopt-stories-demo.gguf): loads, round-trips text, generates reproducibly, scores. */
class DemoModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Measured 18.11 ± 0.64 on these 40 chunks (models/README.md); about 10 % of margin for other kernels' rounding. */
    static final double VALID_PPL_BOUND = 20.0;

    @Test
    void isFoundFromTheCheckoutAndFitsInEightMegabytes() throws Exception {
        Path file = DemoModel.path();
        assertThat(file.toAbsolutePath().normalize()).isEqualTo(DemoModel.root().resolve(DemoModel.RELATIVE_PATH).toAbsolutePath().normalize());
        assertThat(Files.size(file)).isLessThanOrEqualTo(8L * 1024 * 1024);
        try (LoadedModel m = ModelLoader.load(file, null)) {
            assertThat(m.config().vocabSize()).isEqualTo(2048);
            assertThat(m.tokenizer().vocabSize()).isEqualTo(2048);
        }
    }

    @Test
    void embeddedTokenizerRoundTripsAndEqualsTheCommittedTokenizerJson() throws Exception {
        String text = Files.readString(SharedData.require("data/tinystories-validation-head.txt"));
        text = text.substring(0, 100_000);
        try (LoadedModel m = ModelLoader.load(DemoModel.path(), null)) {
            Tokenizer embedded = m.tokenizer();
            int[] ids = embedded.encode(text, true, true);
            assertThat(embedded.decode(ids, true)).isEqualTo("<|endoftext|>" + text);
            Tokenizer json = Tokenizers.load(DemoModel.root().resolve("models/llmopt-stories-demo-tokenizer/tokenizer.json"));
            assertThat(json.encode(text, true, true)).isEqualTo(ids);
            assertThat(embedded.bos()).isEqualTo(json.bos()).hasValue(0);
            assertThat(embedded.eos()).isEqualTo(json.eos()).hasValue(0);
        }
    }

    @Test
    void generateWithoutModelUsesTheDemoAndIsReproducible() throws Exception {
        String[] args = {"generate", "-p", "Once upon a time", "-n", "48", "--temp", "0", "--ignore-eos", "--json", "-t", "2"};
        CliRunner a = CliRunner.run(args);
        assertThat(a.exitCode()).as(a.err()).isZero();
        CliRunner b = CliRunner.run(args);
        JsonNode first = JSON.readTree(a.out());
        JsonNode second = JSON.readTree(b.out());
        assertThat(first.get("tokens")).hasSize(48).isEqualTo(second.get("tokens"));
        assertThat(first.get("model").asText()).endsWith("llmopt-stories-demo.gguf");
        // a TinyStories model continues with words, not byte soup
        assertThat(first.get("text").asText()).containsPattern("\\b(the|a|was|and)\\b");
    }

    @Test
    void validationPerplexityIsBelowTheMeasuredBound() throws Exception {
        Path valid = SharedData.require("data/tinystories-validation-head.txt");
        CliRunner r = CliRunner.run("eval", "ppl", "-m", DemoModel.path().toString(), "-f", valid.toString(), "-c", "256",
                "--chunks", "40", "--json", "-t", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode out = JSON.readTree(r.out());
        double ppl = out.findValue("ppl").asDouble();
        System.out.println("DemoModelTest: validation perplexity (40 chunks of 256, llama-perplexity scoring) " + ppl);
        assertThat(ppl).isGreaterThan(1.0).isLessThan(VALID_PPL_BOUND);
    }
}
