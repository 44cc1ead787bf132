package io.llmopt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** SentencePiece-style tokenizers against llama.cpp's outputs (README §3a, §4). */
class SpmConformanceTest {

    static Tokenizer gguf(String vocab) throws IOException {
        return Tokenizers.fromGguf(GgufTestFiles.metadata(
                SharedData.require("tokenizers/llama.cpp-vocab/ggml-vocab-" + vocab + ".gguf")));
    }

    static void assertInpOut(String vocab, Tokenizer tokenizer) throws IOException {
        Conformance.Tally tally = new Conformance.Tally("ggml-vocab-" + vocab + ".gguf.inp/.out");
        for (Conformance.Case c : Conformance.inpOut(vocab)) {
            tally.check(c.text(), c.ids(), tokenizer.encode(c.text(), false, false));
        }
        assertThat(tally.allPassed()).as(tally.report()).isTrue();
    }

    @Test
    void llamaSpmInpOut() throws IOException {
        assertInpOut("llama-spm", gguf("llama-spm"));
    }

    @Test
    void phi3InpOut() throws IOException {
        assertInpOut("phi-3", gguf("phi-3"));
    }

    @Test
    void llamaSpmCases() throws IOException {
        Tokenizer t = gguf("llama-spm");
        Conformance.Tally ids = new Conformance.Tally("llama-spm.cases.expected.jsonl ids");
        Conformance.Tally withSpecial = new Conformance.Tally("llama-spm.cases.expected.jsonl ids_with_special");
        for (JsonNode c : Conformance.jsonl(SharedData.require("tokenizers/llama.cpp-vocab/llama-spm.cases.expected.jsonl"))) {
            String text = c.get("text").asText();
            ids.check(text, Conformance.ints(c.get("ids")), t.encode(text, false, true));
            withSpecial.check(text, Conformance.ints(c.get("ids_with_special")), t.encode(text, true, true));
        }
        assertThat(ids.allPassed()).as(ids.report()).isTrue();
        assertThat(withSpecial.allPassed()).as(withSpecial.report()).isTrue();
    }

    @Test
    void tinyStoriesPromptsWithEveryLoader() throws IOException {
        Path model = SharedData.require("models/stories260K/tok512.model");
        Tokenizer[] tokenizers = {
                Tokenizers.fromSentencePieceModel(model),
                Tokenizers.fromLlama2c(SharedData.require("models/stories260K/tok512.bin"), 512),
                Tokenizers.fromGguf(GgufTestFiles.metadata(SharedData.require("models/stories260K/stories260K-f32.gguf"))),
                Tokenizers.load(SharedData.require("models/stories260K/stories260K-hf")),
                Tokenizers.load(SharedData.require("models/stories260K/stories260K-f32.gguf")),
        };
        for (String prompts : new String[] {"reference/stories260K/prompts.json", "reference/ref-tinystories/prompts.json"}) {
            JsonNode root = Conformance.JSON.readTree(SharedData.require(prompts).toFile());
            for (Tokenizer t : tokenizers) {
                Conformance.Tally tally = new Conformance.Tally(prompts);
                for (JsonNode p : root.get("prompts")) {
                    String text = p.get("text").asText();
                    tally.check(text, Conformance.ints(p.get("ids")), t.encode(text, true, false));
                    tally.check(text, Conformance.ints(p.get("ids")), t.encode(text, true, true));
                }
                assertThat(tally.allPassed()).as(tally.report()).isTrue();
            }
        }
    }

    @Test
    void loadersAgreeOnTheWholeTok512Vocabulary() throws IOException {
        Tokenizer model = Tokenizers.fromSentencePieceModel(SharedData.require("models/stories260K/tok512.model"));
        Tokenizer bin = Tokenizers.fromLlama2c(SharedData.require("models/stories260K/tok512.bin"), 512);
        Tokenizer gguf = Tokenizers.fromGguf(GgufTestFiles.metadata(SharedData.require("models/stories260K/stories260K-f32.gguf")));
        for (int id = 0; id < 512; id++) {
            assertThat(bin.piece(id)).as("id " + id).isEqualTo(model.piece(id));
            assertThat(gguf.piece(id)).as("id " + id).isEqualTo(model.piece(id));
        }
    }

    @Test
    void greedyContinuationsDecodeToTheReferenceText() throws IOException {
        Tokenizer t = Tokenizers.fromSentencePieceModel(SharedData.require("models/stories260K/tok512.model"));
        JsonNode root = Conformance.JSON.readTree(SharedData.require("reference/stories260K/greedy.json").toFile());
        for (JsonNode r : root.get("results")) {
            int[] prompt = Conformance.ints(r.get("prompt_ids"));
            int[] generated = Conformance.ints(r.get("generated_ids"));
            int[] all = new int[prompt.length + generated.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(generated, 0, all, prompt.length, generated.length);
            assertThat(t.decode(all, false)).isEqualTo(r.get("text").asText());
            assertThat(t.decode(all, true)).isEqualTo("<s> " + r.get("text").asText());
        }
    }

    /** README §3a: llama.cpp's token counts for BOS + each whole evaluation text. Also the speed check (1.3 MB). */
    @Test
    void wholeEvaluationTextsHaveLlamaCppTokenCounts() throws IOException {
        Tokenizer t = Tokenizers.fromSentencePieceModel(SharedData.require("models/stories260K/tok512.model"));
        JsonNode root = Conformance.JSON.readTree(SharedData.require("reference/ref-tinystories/prompts.json").toFile());
        for (JsonNode check : root.get("whole_file_checks").get("results")) {
            String text = Files.readString(SharedData.require(check.get("text").asText()));
            long start = System.nanoTime();
            int[] ids = t.encode(text, true, false);
            long ms = (System.nanoTime() - start) / 1_000_000;
            System.out.println("encoded " + check.get("text").asText() + " (" + text.length() + " chars) into "
                    + ids.length + " tokens in " + ms + " ms");
            assertThat(ids.length).isEqualTo(check.get("n_tokens_llama_cpp").asInt());
            assertThat(t.decode(ids, false)).isEqualTo(text);
        }
    }

    /**
     * README §3a: BOS + the whole WikiText-2 test file is 815,070 tokens with llama.cpp and the numpy reference
     * (the count appears only in the README). Also the speed check the module promises: well under a few seconds.
     */
    @Test
    void wikiTextCountAndSpeed() throws IOException {
        Tokenizer t = Tokenizers.fromSentencePieceModel(SharedData.require("models/stories260K/tok512.model"));
        String text = Files.readString(SharedData.require("data/wikitext-2-raw-v1-test.txt"));
        long start = System.nanoTime();
        int[] ids = t.encode(text, true, false);
        long ms = (System.nanoTime() - start) / 1_000_000;
        System.out.println("encoded wikitext-2-raw-v1-test.txt (" + text.length() + " chars) into " + ids.length
                + " tokens in " + ms + " ms");
        assertThat(ids.length).isEqualTo(815_070);
        assertThat(t.decode(ids, false)).isEqualTo(text);
    }
}
