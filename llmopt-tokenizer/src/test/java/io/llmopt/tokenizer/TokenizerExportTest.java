package io.llmopt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufWriter;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Export round trips: a tokenizer written as GGUF metadata or as Hugging Face files and loaded again tokenizes and
 * decodes as the original did, on the shared conformance texts.
 */
class TokenizerExportTest {
    @TempDir
    Path temp;

    /** Writes the metadata into a real GGUF file (no tensors) and loads the tokenizer from that file. */
    private Tokenizer throughGgufFile(GgufMetadata metadata, String name) {
        Path file = temp.resolve(name + ".gguf");
        new GgufWriter(file).metadata(metadata).write();
        return Tokenizers.load(file);
    }

    private Tokenizer throughHfDirectory(Tokenizer tokenizer, String name, String chatTemplate) {
        Path dir = temp.resolve(name);
        HfTokenizerExport.write(tokenizer, dir, chatTemplate);
        return Tokenizers.load(dir);
    }

    /** Compares ids (with and without special tokens) and both decodes of every case; returns the differing texts. */
    private static List<String> differences(Tokenizer expected, Tokenizer actual, List<String> texts) {
        List<String> out = new ArrayList<>();
        for (String text : texts) {
            int[] ids = expected.encode(text, false, true);
            boolean same = java.util.Arrays.equals(ids, actual.encode(text, false, true))
                    && java.util.Arrays.equals(expected.encode(text, true, true), actual.encode(text, true, true))
                    && java.util.Arrays.equals(expected.encode(text, false, false), actual.encode(text, false, false))
                    && expected.decode(ids, true).equals(actual.decode(ids, true))
                    && expected.decode(ids, false).equals(actual.decode(ids, false));
            if (!same) {
                out.add(text);
            }
        }
        return out;
    }

    private static List<String> hfCases(String name) throws IOException {
        List<String> texts = new ArrayList<>();
        for (JsonNode c : Conformance.jsonl(SharedData.require("tokenizers/hf/" + name + "/expected.jsonl"))) {
            texts.add(c.get("text").asText());
        }
        return texts;
    }

    /**
     * tokenizer.json → GGUF ("gpt2" model, merges, pre) → a GGUF file → {@link Tokenizers#load}: every case of
     * expected.jsonl tokenizes and decodes as with the tokenizer.json. The one thing GGUF cannot carry is Qwen's NFC
     * normalizer (llama.cpp does not normalize): exactly the cases NFC changes may differ.
     */
    @ParameterizedTest
    @CsvSource({"llama3,llama-bpe", "qwen3,qwen2"})
    void byteLevelBpeToGgufAndBack(String name, String expectedPre) throws IOException {
        Tokenizer original = BpeConformanceTest.hf(name);
        GgufMetadata metadata = GgufTokenizerExport.toGguf(original);
        assertThat(metadata.getString("tokenizer.ggml.model")).isEqualTo("gpt2");
        assertThat(metadata.getString("tokenizer.ggml.pre")).isEqualTo(expectedPre);
        Tokenizer reloaded = throughGgufFile(metadata, name);
        List<String> texts = hfCases(name);
        List<String> differing = differences(original, reloaded, texts);
        List<String> notNfc = texts.stream().filter(t -> !Normalizer.isNormalized(t, Normalizer.Form.NFC)).toList();
        System.out.println("export " + name + " → GGUF → load: " + (texts.size() - differing.size()) + "/" + texts.size()
                + " cases identical" + (differing.isEmpty() ? "" : " (differing: " + differing.stream()
                .map(Conformance::show).toList() + ", not NFC-normalized: " + notNfc.size() + ")"));
        if (name.equals("qwen3")) {
            assertThat(notNfc).containsAll(differing);
        } else {
            assertThat(differing).isEmpty();
        }
        assertThat(reloaded.eos()).isEqualTo(original.eos());
        if (original.bos().isPresent()) {
            assertThat(reloaded.bos()).isEqualTo(original.bos());
        } else {
            // GGUF cannot say "no BOS": llama.cpp keeps its default id (11 for gpt2) unless a valid id is given
            assertThat(metadata.contains("tokenizer.ggml.bos_token_id")).isFalse();
        }
    }

    /**
     * The vocabularies llama.cpp ships as "gpt2" GGUFs: GGUF → HF tokenizer.json → load still gives their .out ids,
     * and exporting that to GGUF again names a pre-tokenizer with the same rules (refact and starcoder, or mpt and
     * gpt-2, are the same rules under two names; the recognised name is the first of them).
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt-2", "falcon", "starcoder", "refact", "mpt", "deepseek-coder", "deepseek-llm"})
    void ggufByteLevelBpeToHfAndBack(String vocab) throws IOException {
        Tokenizer gguf = SpmConformanceTest.gguf(vocab);
        Tokenizer reloaded = throughHfDirectory(gguf, vocab, null);
        assertThat(reloaded).isInstanceOf(BpeTokenizer.class);
        SpmConformanceTest.assertInpOut(vocab, reloaded);
        List<String> texts = Conformance.inpOut(vocab).stream().map(Conformance.Case::text).toList();
        assertThat(differences(gguf, reloaded, texts)).isEmpty();
        String pre = GgufTokenizerExport.toGguf(reloaded).getString("tokenizer.ggml.pre");
        String originalPre = GgufTestFiles.metadata(SharedData.require("tokenizers/llama.cpp-vocab/ggml-vocab-" + vocab
                + ".gguf")).getString("tokenizer.ggml.pre");
        assertThat(PreTokenizers.llamaCpp(pre, "test")).isEqualTo(PreTokenizers.llamaCpp(originalPre, "test"));
    }

    /** tokenizer.json → HF files → load, for byte-level and SentencePiece-style tokenizer.json alike. */
    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "lenml-llama2"})
    void tokenizerJsonToHfAndBack(String name) throws IOException {
        Tokenizer original = BpeConformanceTest.hf(name);
        Path dir = SharedData.require("tokenizers/hf/" + name);
        String template = TokenizerConfig.read(dir.resolve("tokenizer_config.json")).chatTemplate();
        Tokenizer reloaded = throughHfDirectory(original, name, template);
        assertThat(differences(original, reloaded, hfCases(name))).isEmpty();
        assertThat(TokenizerConfig.read(temp.resolve(name).resolve("tokenizer_config.json")).chatTemplate())
                .isEqualTo(template);
    }

    /** A GGUF "gpt2" vocabulary made from tokenizer.json, then written as HF files: the same tokenizer again. */
    @Test
    void llama3ThroughGgufThenHf() throws IOException {
        Tokenizer original = BpeConformanceTest.hf("llama3");
        Tokenizer gguf = Tokenizers.fromGguf(GgufTokenizerExport.toGguf(original));
        Tokenizer hf = throughHfDirectory(gguf, "llama3-from-gguf", null);
        assertThat(differences(original, hf, hfCases("llama3"))).isEmpty();
    }

    /**
     * Meta's Llama-2 vocabulary as llama.cpp ships it (ggml-vocab-llama-spm.gguf) → tokenizer.model +
     * tokenizer_config.json → {@link Tokenizers#load}: llama.cpp's ids for every case, with and without BOS.
     */
    @Test
    void llamaSpmGgufToHfAndBack() throws IOException {
        Tokenizer reloaded = throughHfDirectory(SpmConformanceTest.gguf("llama-spm"), "llama-spm", "{{ bos_token }}");
        assertThat(reloaded).isInstanceOf(SpmTokenizer.class);
        Conformance.Tally ids = new Conformance.Tally("llama-spm GGUF → tokenizer.model → load: ids");
        Conformance.Tally withSpecial = new Conformance.Tally("llama-spm GGUF → tokenizer.model → load: ids_with_special");
        for (JsonNode c : Conformance.jsonl(SharedData.require("tokenizers/llama.cpp-vocab/llama-spm.cases.expected.jsonl"))) {
            String text = c.get("text").asText();
            ids.check(text, Conformance.ints(c.get("ids")), reloaded.encode(text, false, true));
            withSpecial.check(text, Conformance.ints(c.get("ids_with_special")), reloaded.encode(text, true, true));
        }
        assertThat(ids.allPassed()).as(ids.report()).isTrue();
        assertThat(withSpecial.allPassed()).as(withSpecial.report()).isTrue();
        SpmConformanceTest.assertInpOut("llama-spm", reloaded);
        assertThat(ChatTemplate.fromTokenizerConfig(temp.resolve("llama-spm").resolve("tokenizer_config.json"))
                .orElseThrow().render(List.of(), false)).isEqualTo("<s>");
    }

    /** stories260K's GGUF vocabulary → HF files → load: llama.cpp's ids for both prompt sets. */
    @Test
    void stories260KGgufToHfAndBack() throws IOException {
        Tokenizer gguf = Tokenizers.load(SharedData.require("models/stories260K/stories260K-f32.gguf"));
        Tokenizer reloaded = throughHfDirectory(gguf, "stories260K", null);
        for (String prompts : new String[] {"reference/stories260K/prompts.json", "reference/ref-tinystories/prompts.json"}) {
            Conformance.Tally tally = new Conformance.Tally("stories260K GGUF → tokenizer.model → load: " + prompts);
            for (JsonNode p : Conformance.JSON.readTree(SharedData.require(prompts).toFile()).get("prompts")) {
                String text = p.get("text").asText();
                tally.check(text, Conformance.ints(p.get("ids")), reloaded.encode(text, true, false));
            }
            assertThat(tally.allPassed()).as(tally.report()).isTrue();
        }
        for (int id = 0; id < gguf.vocabSize(); id++) {
            assertThat(reloaded.piece(id)).isEqualTo(gguf.piece(id));
        }
    }

    /** tok512.model → our tokenizer.model writer → the reader: every field the reader knows comes back. */
    @Test
    void sentencePieceModelWriterRoundTripsTok512() {
        SentencePieceModelReader.Model original = SentencePieceModelReader.read(
                SharedData.require("models/stories260K/tok512.model"));
        SentencePieceModelReader.Model copy = SentencePieceModelReader.parse(
                SentencePieceModelWriter.write(original), "written");
        assertThat(copy.pieces()).isEqualTo(original.pieces());
        assertThat(copy.scores()).containsExactly(original.scores());
        assertThat(copy.types()).containsExactly(original.types());
        assertThat(List.of(copy.modelType(), copy.byteFallback(), copy.unkId(), copy.bosId(), copy.eosId(), copy.padId(),
                copy.normalizerName(), copy.addDummyPrefix(), copy.removeExtraWhitespaces()))
                .isEqualTo(List.of(original.modelType(), original.byteFallback(), original.unkId(), original.bosId(),
                        original.eosId(), original.padId(), original.normalizerName(), original.addDummyPrefix(),
                        original.removeExtraWhitespaces()));
    }

    /** tok512.model → SpmTokenizer → HF tokenizer.model: the model facts the tokenizer keeps are written back. */
    @Test
    void sentencePieceTokenizerKeepsItsModelFacts() {
        Path model = SharedData.require("models/stories260K/tok512.model");
        SentencePieceModelReader.Model original = SentencePieceModelReader.read(model);
        SentencePieceModelReader.Model exported = SentencePieceModelReader.parse(
                HfTokenizerExport.sentencePieceModel((SpmTokenizer) Tokenizers.fromSentencePieceModel(model)), "exported");
        assertThat(exported.pieces()).isEqualTo(original.pieces());
        assertThat(exported.scores()).containsExactly(original.scores());
        assertThat(exported.types()).containsExactly(original.types());
        assertThat(List.of(exported.modelType(), exported.byteFallback(), exported.unkId(), exported.bosId(),
                exported.eosId(), exported.padId(), exported.addDummyPrefix(), exported.removeExtraWhitespaces()))
                .isEqualTo(List.of(original.modelType(), original.byteFallback(), original.unkId(), original.bosId(),
                        original.eosId(), original.padId(), original.addDummyPrefix(), original.removeExtraWhitespaces()));
    }

    @Test
    void unsupportedExportsFailWithOneLine() {
        Tokenizer lenml = BpeConformanceTest.hf("lenml-llama2"); // outside the lambda: skips when shared data is absent
        assertThatThrownBy(() -> GgufTokenizerExport.toGguf(lenml))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("byte-level");
        Tokenizer bert = Tokenizers.load(SharedData.require("tokenizers/llama.cpp-vocab/ggml-vocab-bert-bge.gguf"));
        assertThatThrownBy(() -> HfTokenizerExport.write(bert, temp.resolve("bert"), null))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("not supported");
        assertThat(Files.exists(temp.resolve("bert").resolve("tokenizer.json"))).isFalse();
    }
}
