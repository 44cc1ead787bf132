package io.llmopt.tokenizer;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufValue;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input fails with one line naming the file and what was expected. */
class BadInputTest {
    @TempDir
    Path dir;

    @Test
    void missingFiles() {
        Path missing = dir.resolve("nope.model");
        assertThatThrownBy(() -> Tokenizers.fromSentencePieceModel(missing)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining(missing.toString()).hasMessageContaining("not found");
        assertThatThrownBy(() -> Tokenizers.fromTokenizerJson(dir.resolve("tokenizer.json"), null))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("tokenizer.json not found");
        assertThatThrownBy(() -> Tokenizers.load(dir)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining("no tokenizer.json or tokenizer.model");
        assertThatThrownBy(() -> Tokenizers.fromLlama2c(dir.resolve("tokenizer.bin"), 32000))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("not found");
    }

    @Test
    void corruptSentencePieceModel() throws IOException {
        Path f = dir.resolve("tokenizer.model");
        Files.write(f, new byte[] {0x0A, (byte) 0xFF, 0x7F, 1, 2, 3});
        assertThatThrownBy(() -> Tokenizers.fromSentencePieceModel(f)).isInstanceOf(LlmoptException.class)
                .hasMessageStartingWith(f + ": corrupt SentencePiece model at byte")
                .hasMessageNotContaining("\n");
        Files.write(f, "hello, I am text".getBytes());
        assertThatThrownBy(() -> Tokenizers.fromSentencePieceModel(f)).isInstanceOf(LlmoptException.class)
                .hasMessageContaining(f.toString());
    }

    @Test
    void unsupportedTokenizerJson() throws IOException {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}}}");
        assertThatThrownBy(() -> Tokenizers.fromTokenizerJson(f, null)).isInstanceOf(LlmoptException.class)
                .hasMessage(f + ": unsupported tokenizer model type 'WordPiece' (supported: BPE)");
        Files.writeString(f, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}, \"merges\": []},"
                + " \"pre_tokenizer\": {\"type\": \"BertPreTokenizer\"}}");
        assertThatThrownBy(() -> Tokenizers.fromTokenizerJson(f, null)).isInstanceOf(LlmoptException.class)
                .hasMessage(f + ": unsupported pre-tokenizer type 'BertPreTokenizer'");
        Files.writeString(f, "{\"model\": ");
        assertThatThrownBy(() -> Tokenizers.fromTokenizerJson(f, null)).isInstanceOf(LlmoptException.class)
                .hasMessageStartingWith(f + ": tokenizer.json is not valid JSON");
    }

    @Test
    void truncatedLlama2cTokenizer() throws IOException {
        Path f = dir.resolve("tokenizer.bin");
        Files.write(f, new byte[] {7, 0, 0, 0, 0, 0, (byte) 0x80, 0x3F, 1, 0, 0, 0, 'a'});
        assertThatThrownBy(() -> Tokenizers.fromLlama2c(f, 2)).isInstanceOf(LlmoptException.class)
                .hasMessage(f + ": truncated at token 1 (byte 13); expected 2 tokens");
    }

    @Test
    void unsupportedGgufTokenizerModel() {
        GgufMetadata md = new GgufMetadata("model.gguf", Map.of(
                "tokenizer.ggml.model", GgufValue.ofString("rwkv"),
                "tokenizer.ggml.tokens", GgufValue.ofStringArray(new String[] {"a"})));
        assertThatThrownBy(() -> Tokenizers.fromGguf(md)).isInstanceOf(LlmoptException.class)
                .hasMessage("model.gguf: unsupported tokenizer.ggml.model 'rwkv' (supported: llama, gpt2, bert)");
        GgufMetadata noTokens = new GgufMetadata("model.gguf", Map.of("tokenizer.ggml.model", GgufValue.ofString("llama")));
        assertThatThrownBy(() -> Tokenizers.fromGguf(noTokens)).isInstanceOf(LlmoptException.class)
                .hasMessage("model.gguf: missing GGUF metadata key 'tokenizer.ggml.tokens'");
    }
}
