package io.llmopt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Streaming decode = one-shot decode, on random ids and on text with emoji, CJK and byte-fallback tokens. */
class StreamingDecoderTest {

    static String stream(Tokenizer t, int[] ids, boolean renderSpecial) {
        StreamingDecoder d = t.streamingDecoder(renderSpecial);
        StringBuilder out = new StringBuilder();
        for (int id : ids) {
            String chunk = d.accept(id);
            assertThat(chunk.isEmpty() || !Character.isHighSurrogate(chunk.charAt(chunk.length() - 1)))
                    .as("chunk %s ends inside a surrogate pair", chunk).isTrue();
            out.append(chunk);
        }
        return out.append(d.flush()).toString();
    }

    static List<Tokenizer> tokenizers() throws IOException {
        List<Tokenizer> out = new ArrayList<>();
        out.add(Tokenizers.fromSentencePieceModel(SharedData.require("models/stories260K/tok512.model")));
        out.add(SpmConformanceTest.gguf("llama-spm"));
        out.add(SpmConformanceTest.gguf("gpt-2"));
        out.add(SpmConformanceTest.gguf("bert-bge"));
        out.add(BpeConformanceTest.hf("llama3")); // clean_up_tokenization_spaces = true
        out.add(BpeConformanceTest.hf("qwen3"));
        out.add(BpeConformanceTest.hf("lenml-llama2")); // Strip decoder + byte fallback
        return out;
    }

    @Test
    void randomIdsStreamLikeOneShotDecode() throws IOException {
        Random random = new Random(20261122);
        for (Tokenizer t : tokenizers()) {
            for (int trial = 0; trial < 100; trial++) {
                int[] ids = new int[1 + random.nextInt(40)];
                for (int i = 0; i < ids.length; i++) {
                    // bias towards the low ids where byte tokens and punctuation live
                    ids[i] = random.nextBoolean() ? random.nextInt(Math.min(600, t.vocabSize())) : random.nextInt(t.vocabSize());
                }
                for (boolean special : new boolean[] {false, true}) {
                    assertThat(stream(t, ids, special)).isEqualTo(t.decode(ids, special));
                }
            }
        }
    }

    @Test
    void conformanceTextsStreamLikeOneShotDecode() throws IOException {
        List<String> texts = new ArrayList<>();
        for (JsonNode c : Conformance.jsonl(SharedData.require("tokenizers/hf/llama3/expected.jsonl"))) {
            texts.add(c.get("text").asText());
        }
        texts.add("Hello , world ! Don 't stop . It 's fine , isn 't it ? ' quoted ' 🦙🦙 中文");
        for (Tokenizer t : tokenizers()) {
            for (String text : texts) {
                int[] ids = t.encode(text, true, true);
                assertThat(stream(t, ids, false)).as(text).isEqualTo(t.decode(ids, false));
                assertThat(stream(t, ids, true)).as(text).isEqualTo(t.decode(ids, true));
            }
        }
    }

    @Test
    void byteFallbackEmojiIsHeldUntilComplete() throws IOException {
        Tokenizer t = Tokenizers.fromSentencePieceModel(SharedData.require("models/stories260K/tok512.model"));
        int[] ids = t.encode("a 🦙", false, false); // tok512 has no emoji: 4 byte tokens
        StreamingDecoder d = t.streamingDecoder();
        List<String> chunks = new ArrayList<>();
        for (int id : ids) {
            chunks.add(d.accept(id));
        }
        chunks.add(d.flush());
        assertThat(String.join("", chunks)).isEqualTo("a 🦙");
        assertThat(chunks).contains("🦙").doesNotContain("\uFFFD");
    }

    @Test
    void truncatedUtf8BecomesReplacementOnFlush() throws IOException {
        Tokenizer t = Tokenizers.fromSentencePieceModel(SharedData.require("models/stories260K/tok512.model"));
        int[] all = t.encode("🦙", false, false);
        int[] firstTwo = {all[all.length - 4], all[all.length - 3]};
        StreamingDecoder d = t.streamingDecoder();
        assertThat(d.accept(firstTwo[0]) + d.accept(firstTwo[1])).isEmpty();
        assertThat(d.flush()).isEqualTo("\uFFFD");
        assertThat(t.decode(firstTwo, false)).isEqualTo("\uFFFD");
    }

    @Test
    void continuingAfterAPromptKeepsTheWordSpace() throws IOException {
        Tokenizer t = Tokenizers.fromSentencePieceModel(SharedData.require("models/stories260K/tok512.model"));
        int[] prompt = t.encode("Once upon", true, false);
        int[] next = t.encode(" a time", false, false);
        StreamingDecoder d = t.streamingDecoderAfter(prompt, false);
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < next.length; i++) { // skip the dummy-prefix ▁ that a fresh encode adds
            out.append(d.accept(next[i]));
        }
        assertThat(out.append(d.flush()).toString()).isEqualTo(" a time");
    }

    @Test
    void completeLengthFollowsUtf8WellFormedness() {
        byte[] emoji = "🦙".getBytes(StandardCharsets.UTF_8);
        for (int n = 1; n < 4; n++) {
            assertThat(StreamingUtf8Decoder.completeLength(emoji, n)).isZero();
        }
        assertThat(StreamingUtf8Decoder.completeLength(emoji, 4)).isEqualTo(4);
        assertThat(StreamingUtf8Decoder.completeLength(new byte[] {'a', (byte) 0xE0, (byte) 0x80}, 3))
                .as("E0 80 can never complete").isEqualTo(3);
        assertThat(StreamingUtf8Decoder.completeLength(new byte[] {'a', (byte) 0xE2, (byte) 0x82}, 3)).isEqualTo(1);
        assertThat(StreamingUtf8Decoder.completeLength(new byte[] {(byte) 0x80, (byte) 0x80}, 2)).isEqualTo(2);
    }
}
