package io.llmopt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.testkit.SharedData;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** BOS/EOS, end-of-generation ids and pieces as each loader reports them. */
class SpecialTokensTest {

    @Test
    void sentencePieceAndGguf() throws IOException {
        for (Tokenizer t : new Tokenizer[] {
                Tokenizers.fromSentencePieceModel(SharedData.require("models/stories260K/tok512.model")),
                Tokenizers.load(SharedData.require("models/stories260K/stories260K-f32.gguf")),
                SpmConformanceTest.gguf("llama-spm")}) {
            assertThat(t.bos()).hasValue(1);
            assertThat(t.eos()).hasValue(2);
            assertThat(t.isEndOfGeneration(2)).isTrue();
            assertThat(t.isEndOfGeneration(1)).isFalse();
            assertThat(t.piece(1)).isEqualTo("<s>");
            assertThat(t.decode(new int[] {1, 2}, false)).isEmpty();
            assertThat(t.decode(new int[] {1, 2}, true)).isEqualTo("<s></s>");
            assertThat(t.encode("", true, false)).containsExactly(1);
            assertThat(t.encode("", false, false)).isEmpty();
        }
    }

    @Test
    void llama3() {
        Tokenizer t = BpeConformanceTest.hf("llama3");
        assertThat(t.vocabSize()).isEqualTo(128256);
        assertThat(t.bos()).hasValue(128000);
        assertThat(t.eos()).hasValue(128001);
        assertThat(t.isEndOfGeneration(128009)).as("<|eot_id|>").isTrue();
        assertThat(t.isEndOfGeneration(128001)).isTrue();
        assertThat(t.isEndOfGeneration(128000)).isFalse();
        assertThat(t.piece(9906)).isEqualTo("Hello");
        assertThat(t.piece(22691)).isEqualTo("ĠHello");
        assertThat(t.encode("<|begin_of_text|>hi", false, false)).as("special text not parsed")
                .doesNotContain(128000);
        assertThat(t.decode(t.encode("<|begin_of_text|>hi", false, true), false)).isEqualTo("hi");
    }

    @Test
    void qwen3() {
        Tokenizer t = BpeConformanceTest.hf("qwen3");
        assertThat(t.bos()).isEmpty();
        assertThat(t.eos()).hasValue(151645);
        assertThat(t.isEndOfGeneration(151645)).as("<|im_end|>").isTrue();
        assertThat(t.isEndOfGeneration(151643)).as("<|endoftext|>").isTrue();
        assertThat(t.decode(new int[] {151644, 872}, false)).isEqualTo("user");
        assertThat(t.decode(new int[] {151667}, false)).as("<think> is an added, non-special token").isEqualTo("<think>");
    }

    @Test
    void sentencePieceStyleTokenizerJsonAddsBos() {
        Tokenizer t = BpeConformanceTest.hf("lenml-llama2");
        assertThat(t.bos()).hasValue(1);
        assertThat(t.encode("hi", true, false)[0]).isEqualTo(1);
        assertThat(t.encode("hi", false, false)[0]).isNotEqualTo(1);
    }
}
