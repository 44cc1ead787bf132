package io.llmopt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Rank-based BPE behind an HF-style pipeline: added tokens are split off the raw text first, each remaining fragment
 * is normalized, pre-tokenized into words, and every word is merged by {@link BpeModel}; {@code addSpecial} wraps
 * the result in the post-processor's prefix/suffix ids. Byte-level vocabularies (GPT-2, Llama-3, Qwen2 and the GGUF
 * {@code gpt2} model) and SentencePiece-style tokenizer.json vocabularies (▁ and {@code <0xXX>} byte fallback) both
 * run through here; they differ only in their normalizer, pre-tokenizer and decode table.
 */
public final class BpeTokenizer extends BaseTokenizer {
    private final AddedTokens addedTokens;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final BpeModel model;
    private final int[] prefixIds;
    private final int[] suffixIds;
    private final Origin origin;

    /** Everything that defines a BPE pipeline; see the class comment. {@code normalizer} may be null. */
    record Parts(Vocabulary vocabulary, SpecialIds specialIds, DecodeRules decodeRules, byte[][] pieceBytes,
            boolean[] renderOnlyIfSpecial, AddedTokens addedTokens, Normalizer normalizer, PreTokenizer preTokenizer,
            BpeModel model, int[] prefixIds, int[] suffixIds, Origin origin) {
    }

    /**
     * How the pipeline was described where it was loaded from, kept for export ({@link GgufTokenizerExport},
     * {@link HfTokenizerExport}): a tokenizer.json's normalizer, pre_tokenizer, post_processor and decoder as JSON
     * text (each null when absent), or a GGUF vocabulary's {@code tokenizer.ggml.pre} and {@code add_space_prefix}.
     */
    record Origin(String llamaCppPre, boolean addSpacePrefix, String normalizer, String preTokenizer,
            String postProcessor, String decoder) {
        static Origin gguf(String llamaCppPre, boolean addSpacePrefix) {
            return new Origin(llamaCppPre, addSpacePrefix, null, null, null, null);
        }

        static Origin tokenizerJson(JsonNode root) {
            return new Origin(null, false, text(root.get("normalizer")), text(root.get("pre_tokenizer")),
                    text(root.get("post_processor")), text(root.get("decoder")));
        }

        private static String text(JsonNode node) {
            return node == null || node.isNull() ? null : node.toString();
        }
    }

    BpeTokenizer(Parts p) {
        super(p.vocabulary(), p.specialIds(), p.decodeRules(), p.pieceBytes(), p.renderOnlyIfSpecial());
        this.addedTokens = p.addedTokens();
        this.normalizer = p.normalizer();
        this.preTokenizer = p.preTokenizer();
        this.model = p.model();
        this.prefixIds = p.prefixIds().clone();
        this.suffixIds = p.suffixIds().clone();
        this.origin = p.origin();
    }

    Origin origin() {
        return origin;
    }

    BpeModel model() {
        return model;
    }

    AddedTokens addedTokens() {
        return addedTokens;
    }

    /** What {@code encode(…, addSpecial=true, …)} puts before the text. */
    int[] prefixIds() {
        return prefixIds.clone();
    }

    /** What {@code encode(…, addSpecial=true, …)} puts after the text. */
    int[] suffixIds() {
        return suffixIds.clone();
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList();
        if (addSpecial) {
            out.addAll(prefixIds);
        }
        List<String> words = new ArrayList<>();
        for (AddedTokens.Fragment fragment : addedTokens.split(text, parseSpecial)) {
            switch (fragment) {
                case AddedTokens.Token t -> out.add(t.id());
                case AddedTokens.Text t -> {
                    String s = normalizer == null ? t.text() : normalizer.apply(t.text());
                    words.clear();
                    preTokenizer.split(s, t.first(), words);
                    for (String w : words) {
                        model.encodeWord(w, out);
                    }
                }
            }
        }
        if (addSpecial) {
            out.addAll(suffixIds);
        }
        return out.toArray();
    }

    /** Decode table of a byte-level vocabulary: each piece's stand-in characters back to bytes. */
    static byte[] byteLevelBytes(String piece) {
        byte[] b = ByteLevel.decode(piece);
        return b != null ? b : utf8(piece);
    }

    /** Decode table of a SentencePiece-style vocabulary: ▁ → space, {@code <0xXX>} → that byte. */
    static byte[] metaspaceBytes(String piece, boolean byteFallback) {
        int b = byteFallback ? Vocabulary.parseByteToken(piece) : -1;
        return b >= 0 ? new byte[] {(byte) b} : utf8(piece.replace('\u2581', ' '));
    }
}
