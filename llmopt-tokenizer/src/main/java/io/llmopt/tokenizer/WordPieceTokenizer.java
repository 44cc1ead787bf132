package io.llmopt.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * BERT WordPiece as llama.cpp's {@code llm_tokenizer_wpm} runs GGUF {@code tokenizer.ggml.model = "bert"}
 * vocabularies, whose word-initial pieces carry a ▁ prefix instead of BERT's {@code ##} continuation mark.
 *
 * <p>Pre-processing: each code point is replaced by the first code point of its NFD decomposition (accents drop),
 * lower-cased; whitespace separates words; NUL, U+FFFD and control/format characters are dropped; punctuation, ASCII
 * symbols and CJK ideographs become one-character words. Each word, prefixed with ▁, is cut greedily into the longest
 * vocabulary pieces; a word that cannot be cut completely becomes the unknown token.
 */
public final class WordPieceTokenizer extends BaseTokenizer {
    private final AddedTokens addedTokens;
    private final int unknownId;
    private final int separatorId;
    private final int maxPieceLength;

    WordPieceTokenizer(Vocabulary vocabulary, SpecialIds specialIds, int unknownId, int separatorId) {
        super(vocabulary, specialIds, new DecodeRules(true, true), pieceBytes(vocabulary),
                SpmTokenizer.controlFlags(vocabulary));
        this.addedTokens = new AddedTokens(SpmTokenizer.specialPieces(vocabulary));
        this.unknownId = unknownId;
        this.separatorId = separatorId;
        int max = 0;
        for (int i = 0; i < vocabulary.size(); i++) {
            String p = vocabulary.piece(i);
            max = Math.max(max, p == null ? 0 : p.length());
        }
        this.maxPieceLength = max;
    }

    private static byte[][] pieceBytes(Vocabulary v) {
        byte[][] out = new byte[v.size()][];
        for (int id = 0; id < v.size(); id++) {
            String p = v.piece(id);
            if (p != null && v.type(id) != TokenType.UNUSED) {
                out[id] = utf8(v.type(id) == TokenType.NORMAL ? p.replace('\u2581', ' ') : p);
            }
        }
        return out;
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList();
        if (addSpecial && bos().isPresent()) {
            out.add(bos().getAsInt());
        }
        for (AddedTokens.Fragment fragment : addedTokens.split(text, parseSpecial)) {
            switch (fragment) {
                case AddedTokens.Token t -> out.add(t.id());
                case AddedTokens.Text t -> {
                    for (String word : words(t.text())) {
                        encodeWord(word, out);
                    }
                }
            }
        }
        if (addSpecial && separatorId >= 0) {
            out.add(separatorId);
        }
        return out.toArray();
    }

    private void encodeWord(String word, IntList out) {
        String w = "\u2581" + word;
        int n = w.length();
        IntList ids = new IntList();
        int i = 0;
        while (i < n) {
            int found = -1;
            int foundEnd = -1;
            for (int j = Math.min(n, i + maxPieceLength); j > i; j--) {
                int id = vocabulary.id(w, i, j);
                if (id >= 0) {
                    found = id;
                    foundEnd = j;
                    break;
                }
            }
            if (found < 0) {
                ids = null;
                break;
            }
            ids.add(found);
            i = foundEnd;
        }
        if (ids == null || ids.size() == 0) {
            if (unknownId >= 0) {
                out.add(unknownId);
            }
            return;
        }
        for (int k = 0; k < ids.size(); k++) {
            out.add(ids.get(k));
        }
    }

    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            String nfd = java.text.Normalizer.normalize(new String(Character.toChars(cp)), java.text.Normalizer.Form.NFD);
            cp = nfd.codePointAt(0);
            if (isWhiteSpace(cp)) {
                flush(word, words);
                continue;
            }
            int type = Character.getType(cp);
            boolean control = type == Character.CONTROL || type == Character.FORMAT || type == Character.PRIVATE_USE
                    || type == Character.SURROGATE;
            if (cp == 0 || cp == 0xFFFD || control) {
                continue;
            }
            String lower = new String(Character.toChars(Character.toLowerCase(cp)));
            if (isPunctuation(type) || (cp < 0x7F && isSymbol(type)) || isChinese(cp)) {
                flush(word, words);
                words.add(lower);
            } else {
                word.append(lower);
            }
        }
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** Unicode White_Space (PropList.txt), the set llama.cpp's tables use. */
    static boolean isWhiteSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    private static boolean isPunctuation(int type) {
        return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                || type == Character.OTHER_PUNCTUATION;
    }

    private static boolean isSymbol(int type) {
        return type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL
                || type == Character.MODIFIER_SYMBOL || type == Character.OTHER_SYMBOL;
    }

    /** The CJK ranges of BERT's {@code _is_chinese_char} (with HF's 0x2B920 quirk, as llama.cpp copies it). */
    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
