package io.llmopt.model.export;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufValue;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A valid SentencePiece-style vocabulary of any size for random-weight models made by {@code llmopt init}
 * when no real tokenizer is given: {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens
 * {@code <0x00>}..{@code <0xFF>} (so any text encodes through byte fallback), then filler pieces
 * {@code ▁t<id>}. llama.cpp and llmopt both load it; text from such a model is meaningless by design.
 */
public final class SyntheticVocabulary {
    private SyntheticVocabulary() {
    }

    public static GgufMetadata gguf(int vocabSize) {
        if (vocabSize < 259) {
            throw new io.llmopt.tensor.LlmoptException("a synthetic vocabulary needs at least 259 tokens (3 special + 256 bytes), got " + vocabSize);
        }
        String[] tokens = new String[vocabSize];
        float[] scores = new float[vocabSize];
        int[] types = new int[vocabSize];
        tokens[0] = "<unk>";
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[0] = 2; // unknown
        types[1] = 3; // control
        types[2] = 3;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = 6; // byte
        }
        for (int i = 259; i < vocabSize; i++) {
            tokens[i] = "\u2581t" + Integer.toString(i, 36);
            scores[i] = -(i - 259);
            types[i] = 1; // normal
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        m.put("tokenizer.ggml.tokens", GgufValue.ofStringArray(tokens));
        m.put("tokenizer.ggml.scores", GgufValue.ofFloat32Array(scores));
        m.put("tokenizer.ggml.token_type", GgufValue.ofInt32Array(types));
        m.put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(1));
        m.put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(2));
        m.put("tokenizer.ggml.unknown_token_id", GgufValue.ofUint32(0));
        m.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true));
        m.put("tokenizer.ggml.add_eos_token", GgufValue.ofBool(false));
        return new GgufMetadata("synthetic vocabulary", m);
    }
}
