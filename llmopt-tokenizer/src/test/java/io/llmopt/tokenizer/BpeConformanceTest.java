package io.llmopt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Byte-level BPE, SentencePiece-style tokenizer.json and WordPiece against the shared references: llama.cpp's
 * .inp/.out pairs (made upstream with HF tokenizers) and the @lenml/tokenizers expected.jsonl files (README §4).
 */
class BpeConformanceTest {

    /** Every llama.cpp vocabulary whose .gguf is present, tokenized from its GGUF metadata. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt-2", "falcon", "starcoder", "refact", "mpt", "deepseek-coder", "deepseek-llm", "bert-bge"})
    void ggufVocabInpOut(String vocab) throws IOException {
        SpmConformanceTest.assertInpOut(vocab, SpmConformanceTest.gguf(vocab));
    }

    /**
     * The .gguf of llama-bpe and qwen2 is not in the snapshot; the HF tokenizer.json of the same families reproduce
     * their .out files (README §4: llama3 == llama-bpe 46/46, qwen3 == qwen2 == deepseek-r1-qwen 46/46).
     */
    @ParameterizedTest
    @CsvSource({"llama3,llama-bpe", "qwen3,qwen2", "qwen3,deepseek-r1-qwen"})
    void hfTokenizerJsonReproducesLlamaCppOut(String hf, String vocab) throws IOException {
        SpmConformanceTest.assertInpOut(vocab, hf(hf));
    }

    private static final Map<String, Tokenizer> LOADED = new ConcurrentHashMap<>();

    /** The shared HF tokenizer {@code name}, loaded once per test JVM (the JSON files are 2–11 MB). */
    static Tokenizer hf(String name) {
        Path dir = SharedData.require("tokenizers/hf/" + name);
        return LOADED.computeIfAbsent(name, n -> Tokenizers.fromTokenizerJson(dir.resolve("tokenizer.json"),
                dir.resolve("tokenizer_config.json")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "lenml-llama2"})
    void hfExpected(String name) throws IOException {
        Tokenizer t = hf(name);
        Conformance.Tally ids = new Conformance.Tally(name + "/expected.jsonl ids");
        Conformance.Tally withSpecial = new Conformance.Tally(name + "/expected.jsonl ids_with_special");
        Conformance.Tally decoded = new Conformance.Tally(name + "/expected.jsonl decoded");
        for (JsonNode c : Conformance.jsonl(SharedData.require("tokenizers/hf/" + name + "/expected.jsonl"))) {
            String text = c.get("text").asText();
            int[] expected = Conformance.ints(c.get("ids"));
            ids.check(text, expected, t.encode(text, false, true));
            withSpecial.check(text, Conformance.ints(c.get("ids_with_special")), t.encode(text, true, true));
            decoded.check(text, c.get("decoded").asText(), t.decode(expected, true));
        }
        String report = ids.report() + "\n" + withSpecial.report() + "\n" + decoded.report();
        assertThat(ids.allPassed() && withSpecial.allPassed() && decoded.allPassed()).as(report).isTrue();
    }
}
