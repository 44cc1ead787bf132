package io.llmopt.tokenizer;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufValue;
import io.llmopt.tensor.LlmoptException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a tokenizer as GGUF {@code tokenizer.ggml.*} metadata, the keys llama.cpp reads and its converter
 * ({@code convert_hf_to_gguf.py}) writes, so that models converted from llama2.c or Hugging Face files carry their
 * vocabulary:
 *
 * <ul>
 *   <li>SentencePiece-style vocabularies ({@link SpmTokenizer}) as model {@code "llama"}: tokens, scores,
 *       token_type, special ids, add_bos/add_eos, add_space_prefix when off.</li>
 *   <li>Byte-level BPE ({@link BpeTokenizer} with a byte-level decoder) as model {@code "gpt2"}: tokens (ids without
 *       a token as {@code [PAD<id>]}, type UNUSED, as the converter writes them), token_type, merges as
 *       {@code "left right"} strings in rank order, {@code tokenizer.ggml.pre} (kept from a GGUF source, else
 *       recognised from the tokenizer.json pre-tokenizer: {@link PreTokenizers#llamaCppName}), bos/eos/unknown/padding
 *       ids and add_bos/add_eos from what {@code encode(…, addSpecial=true, …)} adds. GGUF has no field for a
 *       tokenizer.json normalizer (Qwen's NFC): it is dropped, as llama.cpp's converter drops it.</li>
 * </ul>
 * Other tokenizers (WordPiece, SentencePiece-style tokenizer.json) are refused with a one-line error.
 */
public final class GgufTokenizerExport {
    private static final String PREFIX = "tokenizer.ggml.";

    private GgufTokenizerExport() {
    }

    public static GgufMetadata toGguf(Tokenizer tokenizer) {
        return switch (tokenizer) {
            case SpmTokenizer spm -> spm(spm);
            case BpeTokenizer bpe -> byteLevelBpe(bpe);
            default -> throw new LlmoptException("exporting a " + tokenizer.getClass().getSimpleName()
                    + " to GGUF metadata is not supported (SentencePiece-style and byte-level BPE vocabularies only)");
        };
    }

    private static GgufMetadata spm(SpmTokenizer spm) {
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
        m.put(PREFIX + "model", GgufValue.ofString("llama"));
        m.put(PREFIX + "tokens", GgufValue.ofStringArray(tokens));
        m.put(PREFIX + "scores", GgufValue.ofFloat32Array(scores));
        m.put(PREFIX + "token_type", GgufValue.ofInt32Array(types));
        specialIds(spm, unknown, m);
        m.put(PREFIX + "add_bos_token", GgufValue.ofBool(spm.options().addBos()));
        m.put(PREFIX + "add_eos_token", GgufValue.ofBool(spm.options().addEos()));
        if (!spm.options().addSpacePrefix()) {
            m.put(PREFIX + "add_space_prefix", GgufValue.ofBool(false));
        }
        return new GgufMetadata("tokenizer export", m);
    }

    private static GgufMetadata byteLevelBpe(BpeTokenizer bpe) {
        BpeTokenizer.Origin origin = bpe.origin();
        String pre = origin.llamaCppPre();
        if (pre == null) {
            if (origin.decoder() == null || !Json.parse(origin.decoder()).path("type").asText().equals("ByteLevel")) {
                throw new LlmoptException("exporting a tokenizer.json BPE tokenizer to GGUF needs a byte-level vocabulary"
                        + " (decoder ByteLevel); SentencePiece-style tokenizer.json vocabularies are not supported");
            }
            pre = PreTokenizers.llamaCppName(origin.preTokenizer() == null ? null : Json.parse(origin.preTokenizer()),
                    bpe.model().ignoreMerges(), bpe.decodeRules().cleanUpSpaces()).orElseThrow(() -> new LlmoptException(
                            "the tokenizer.json pre-tokenizer matches no llama.cpp tokenizer.ggml.pre (its regexes, "
                                    + "ignore_merges and clean_up_tokenization_spaces must equal one llama.cpp knows): "
                                    + origin.preTokenizer()));
        }
        Vocabulary v = bpe.vocabulary();
        int n = v.size();
        String[] tokens = new String[n];
        int[] types = new int[n];
        for (int i = 0; i < n; i++) {
            String piece = v.piece(i);
            tokens[i] = piece == null ? "[PAD" + i + "]" : piece;
            types[i] = piece == null ? TokenType.UNUSED.code() : v.type(i).code();
        }
        List<String[]> pairs = bpe.model().mergePairs();
        String[] merges = new String[pairs.size()];
        for (int i = 0; i < merges.length; i++) {
            merges[i] = pairs.get(i)[0] + " " + pairs.get(i)[1];
        }
        int[] prefix = bpe.prefixIds();
        int[] suffix = bpe.suffixIds();
        int bos = bpe.bos().orElse(-1);
        int eos = bpe.eos().orElse(-1);
        boolean addBos = prefix.length == 1 && prefix[0] == bos;
        boolean addEos = suffix.length == 1 && suffix[0] == eos;
        if ((prefix.length > 0 && !addBos) || (suffix.length > 0 && !addEos)) {
            throw new LlmoptException("GGUF can only add BOS before and EOS after the text; this tokenizer adds "
                    + Arrays.toString(prefix) + " before and " + Arrays.toString(suffix) + " after");
        }
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put(PREFIX + "model", GgufValue.ofString("gpt2"));
        m.put(PREFIX + "pre", GgufValue.ofString(pre));
        m.put(PREFIX + "tokens", GgufValue.ofStringArray(tokens));
        m.put(PREFIX + "token_type", GgufValue.ofInt32Array(types));
        m.put(PREFIX + "merges", GgufValue.ofStringArray(merges));
        specialIds(bpe, bpe.model().unknownId(), m);
        m.put(PREFIX + "add_bos_token", GgufValue.ofBool(addBos));
        m.put(PREFIX + "add_eos_token", GgufValue.ofBool(addEos));
        if (origin.addSpacePrefix()) {
            m.put(PREFIX + "add_space_prefix", GgufValue.ofBool(true));
        }
        return new GgufMetadata("tokenizer export", m);
    }

    private static void specialIds(BaseTokenizer tokenizer, int unknown, Map<String, GgufValue> m) {
        tokenizer.bos().ifPresent(id -> m.put(PREFIX + "bos_token_id", GgufValue.ofUint32(id)));
        tokenizer.eos().ifPresent(id -> m.put(PREFIX + "eos_token_id", GgufValue.ofUint32(id)));
        if (unknown >= 0) {
            m.put(PREFIX + "unknown_token_id", GgufValue.ofUint32(unknown));
        }
        int padding = tokenizer.specialIds().padding();
        if (padding >= 0) {
            m.put(PREFIX + "padding_token_id", GgufValue.ofUint32(padding));
        }
    }
}
