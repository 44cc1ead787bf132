package io.llmopt.tokenizer;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufValue;
import io.llmopt.tensor.LlmoptException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a tokenizer as GGUF {@code tokenizer.ggml.*} metadata (the keys llama.cpp reads), so that models
 * converted from llama2.c or Hugging Face files carry their vocabulary. SentencePiece-style ("llama")
 * vocabularies are supported; byte-level BPE export is not yet.
 */
public final class GgufTokenizerExport {
    private GgufTokenizerExport() {
    }

    public static GgufMetadata toGguf(Tokenizer tokenizer) {
        if (!(tokenizer instanceof SpmTokenizer spm)) {
            throw new LlmoptException("exporting a " + tokenizer.getClass().getSimpleName()
                    + " to GGUF metadata is not supported yet (SentencePiece-style vocabularies only)");
        }
        Vocabulary v = spm.vocabulary();
        int n = v.size();
        String[] tokens = new String[n];
        float[] scores = new float[n];
        int[] types = new int[n];
        int unknown = -1;
        for (int i = 0; i < n; i++) {
            tokens[i] = v.piece(i);
            scores[i] = v.score(i);
            types[i] = v.type(i).code();
            if (unknown < 0 && v.type(i) == TokenType.UNKNOWN) {
                unknown = i;
            }
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("tokenizer.ggml.model", GgufValue.ofString("llama"));
        m.put("tokenizer.ggml.tokens", GgufValue.ofStringArray(tokens));
        m.put("tokenizer.ggml.scores", GgufValue.ofFloat32Array(scores));
        m.put("tokenizer.ggml.token_type", GgufValue.ofInt32Array(types));
        tokenizer.bos().ifPresent(id -> m.put("tokenizer.ggml.bos_token_id", GgufValue.ofUint32(id)));
        tokenizer.eos().ifPresent(id -> m.put("tokenizer.ggml.eos_token_id", GgufValue.ofUint32(id)));
        if (unknown >= 0) {
            m.put("tokenizer.ggml.unknown_token_id", GgufValue.ofUint32(unknown));
        }
        m.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(spm.options().addBos()));
        m.put("tokenizer.ggml.add_eos_token", GgufValue.ofBool(spm.options().addEos()));
        if (!spm.options().addSpacePrefix()) {
            m.put("tokenizer.ggml.add_space_prefix", GgufValue.ofBool(false));
        }
        return new GgufMetadata("tokenizer export", m);
    }
}
