package io.llmopt.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SentencePiece-style BPE as llama.cpp's {@code llm_tokenizer_spm} runs it (vocabularies with scores: tokenizer.model,
 * GGUF {@code tokenizer.ggml.model = "llama"}, llama2.c tokenizer.bin).
 *
 * <p>Per text fragment between special tokens: prepend one space if the previous fragment was a special token (or
 * this is the first fragment) and the vocabulary uses a dummy prefix, replace every space by ▁, split into Unicode
 * characters, then repeatedly merge the adjacent pair whose concatenation is a vocabulary piece with the highest
 * score (leftmost on ties). Symbols that are not pieces become their UTF-8 bytes as {@code <0xXX>} tokens. Like
 * llama.cpp (and unlike sentencepiece itself) runs of spaces are not collapsed.
 */
public final class SpmTokenizer extends BaseTokenizer {

    /**
     * @param addBos/addEos what {@code encode(text, addSpecial=true, …)} adds
     * @param addSpacePrefix the SentencePiece dummy prefix ({@code add_dummy_prefix}, GGUF {@code add_space_prefix})
     */
    public record Options(boolean addBos, boolean addEos, boolean addSpacePrefix) {
    }

    /**
     * What a SentencePiece {@code tokenizer.model} says beyond the vocabulary, kept for export
     * ({@link HfTokenizerExport}); the tokenizer itself runs llama.cpp's algorithm whatever these are.
     *
     * @param modelType SentencePiece's trainer_spec.model_type (1 unigram, 2 BPE)
     * @param removeExtraWhitespaces normalizer_spec.remove_extra_whitespaces (not applied here, as in llama.cpp)
     */
    record SentencePieceSpec(int modelType, boolean byteFallback, boolean removeExtraWhitespaces) {
        /** For vocabularies from GGUF or llama2.c: BPE, byte fallback when the vocabulary has byte tokens. */
        static SentencePieceSpec of(Vocabulary vocabulary, boolean removeExtraWhitespaces) {
            boolean bytes = false;
            for (int b = 0; b < 256 && !bytes; b++) {
                bytes = vocabulary.byteId(b) >= 0;
            }
            return new SentencePieceSpec(SentencePieceModelReader.Model.BPE, bytes, removeExtraWhitespaces);
        }
    }

    private static final char SPACE_MARK = '\u2581';

    private final Options options;
    private final AddedTokens addedTokens;
    private final int unknownId;
    private final SentencePieceSpec spec;

    SpmTokenizer(Vocabulary vocabulary, SpecialIds specialIds, Options options, int unknownId,
            List<AddedTokens.AddedToken> extraAddedTokens) {
        this(vocabulary, specialIds, options, unknownId, extraAddedTokens, SentencePieceSpec.of(vocabulary, false));
    }

    SpmTokenizer(Vocabulary vocabulary, SpecialIds specialIds, Options options, int unknownId,
            List<AddedTokens.AddedToken> extraAddedTokens, SentencePieceSpec spec) {
        super(vocabulary, specialIds, new DecodeRules(options.addSpacePrefix(), false), pieceBytes(vocabulary),
                controlFlags(vocabulary));
        this.options = options;
        this.unknownId = unknownId;
        this.spec = spec;
        List<AddedTokens.AddedToken> added = new ArrayList<>(specialPieces(vocabulary));
        added.addAll(extraAddedTokens);
        this.addedTokens = new AddedTokens(added);
    }

    public Options options() {
        return options;
    }

    SentencePieceSpec spec() {
        return spec;
    }

    /** The unknown token's id, or -1. */
    int unknownId() {
        return unknownId;
    }

    /** Control, unknown and user-defined pieces are matched in raw text (the first two only with parseSpecial). */
    static List<AddedTokens.AddedToken> specialPieces(Vocabulary v) {
        List<AddedTokens.AddedToken> out = new ArrayList<>();
        for (int id = 0; id < v.size(); id++) {
            TokenType t = v.type(id);
            String p = v.piece(id);
            if (p != null && (t == TokenType.CONTROL || t == TokenType.UNKNOWN || t == TokenType.USER_DEFINED)) {
                out.add(new AddedTokens.AddedToken(p, id, t != TokenType.USER_DEFINED, false, false));
            }
        }
        return out;
    }

    private static byte[][] pieceBytes(Vocabulary v) {
        byte[][] out = new byte[v.size()][];
        for (int id = 0; id < v.size(); id++) {
            String p = v.piece(id);
            if (p == null) {
                continue;
            }
            out[id] = switch (v.type(id)) {
                case NORMAL -> utf8(p.replace(SPACE_MARK, ' '));
                case BYTE -> {
                    int b = Vocabulary.parseByteToken(p);
                    yield b < 0 ? utf8(p) : new byte[] {(byte) b};
                }
                case CONTROL, UNKNOWN, USER_DEFINED -> utf8(p);
                case UNUSED, UNDEFINED -> null;
            };
        }
        return out;
    }

    static boolean[] controlFlags(Vocabulary v) {
        boolean[] out = new boolean[v.size()];
        for (int id = 0; id < v.size(); id++) {
            out[id] = v.type(id).isSpecial();
        }
        return out;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList();
        if (addSpecial && options.addBos() && bos().isPresent()) {
            out.add(bos().getAsInt());
        }
        boolean previousSpecial = true;
        for (AddedTokens.Fragment fragment : addedTokens.split(text, parseSpecial)) {
            switch (fragment) {
                case AddedTokens.Text t -> {
                    String s = options.addSpacePrefix() && previousSpecial ? " " + t.text() : t.text();
                    encodeFragment(s.replace(' ', SPACE_MARK), out);
                    previousSpecial = false;
                }
                case AddedTokens.Token tok -> {
                    out.add(tok.id());
                    previousSpecial = true;
                }
            }
        }
        if (addSpecial && options.addEos() && eos().isPresent()) {
            out.add(eos().getAsInt());
        }
        return out.toArray();
    }

    /**
     * The merge loop over one fragment. Symbols are code points addressed by [start, end) char offsets; a merged
     * symbol keeps its left index. Heap keys: (descending score, ascending left index). A popped candidate is used
     * only if its left symbol is alive and the current pair at that index still forms a piece with the same score;
     * otherwise a fresher candidate with the same key exists or the pair is gone (llama.cpp's size check).
     */
    private void encodeFragment(String s, IntList out) {
        int n = s.length();
        if (n == 0) {
            return;
        }
        int[] start = new int[n];
        int[] end = new int[n];
        int count = 0;
        for (int i = 0; i < n; ) {
            int len = Character.charCount(s.codePointAt(i));
            start[count] = i;
            end[count] = Math.min(n, i + len);
            count++;
            i += len;
        }
        int[] prev = new int[count];
        int[] next = new int[count];
        for (int i = 0; i < count; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }
        LongHeap heap = new LongHeap();
        for (int i = 1; i < count; i++) {
            tryAdd(s, start, end, i - 1, i, heap);
        }
        while (!heap.isEmpty()) {
            long key = heap.pop();
            int left = (int) key;
            int right = next[left];
            if (end[left] == start[left] || right < 0) {
                continue;
            }
            int id = vocabulary.id(s, start[left], end[right]);
            if (id < 0 || sortKey(vocabulary.score(id)) != (int) (key >>> 32)) {
                continue;
            }
            end[left] = end[right];
            start[right] = end[right];
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                tryAdd(s, start, end, prev[left], left, heap);
            }
            if (next[left] >= 0) {
                tryAdd(s, start, end, left, next[left], heap);
            }
        }
        for (int i = 0; i != -1; i = next[i]) {
            int id = vocabulary.id(s, start[i], end[i]);
            if (id >= 0) {
                out.add(id);
            } else {
                for (byte b : s.substring(start[i], end[i]).getBytes(StandardCharsets.UTF_8)) {
                    int byteId = vocabulary.byteId(b & 0xFF);
                    if (byteId >= 0) {
                        out.add(byteId);
                    } else if (unknownId >= 0) {
                        out.add(unknownId);
                    }
                }
            }
        }
    }

    private void tryAdd(String s, int[] start, int[] end, int left, int right, LongHeap heap) {
        int id = vocabulary.id(s, start[left], end[right]);
        if (id < 0) {
            return;
        }
        heap.push(((long) sortKey(vocabulary.score(id)) << 32) | left);
    }

    /** An int that sorts ascending as the score sorts descending (higher score = earlier merge). */
    private static int sortKey(float score) {
        int bits = Float.floatToIntBits(score);
        int ascending = bits ^ ((bits >> 31) & 0x7fffffff);
        return ~ascending;
    }
}
