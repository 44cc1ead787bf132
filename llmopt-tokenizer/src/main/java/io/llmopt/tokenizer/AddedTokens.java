package io.llmopt.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tokens matched in the raw text before any normalization or pre-tokenization: control tokens ({@code <s>},
 * {@code <|im_start|>}) and user-defined/added tokens. Matching is leftmost-longest, as HF tokenizers' added
 * vocabulary does; llama.cpp's partition (longest token first) gives the same fragments unless two token texts
 * overlap in the text.
 */
final class AddedTokens {
    /**
     * One matchable token.
     *
     * @param special matched only when the caller asks to parse special tokens (control/unknown tokens, HF
     *     {@code special: true}); non-special (user-defined) tokens are always matched
     * @param lstrip/rstrip the match swallows whitespace on its left/right (HF flags, llama.cpp LSTRIP/RSTRIP attrs)
     */
    record AddedToken(String content, int id, boolean special, boolean lstrip, boolean rstrip) {
    }

    /** A piece of the input: either text still to be tokenized or an already-resolved token. */
    sealed interface Fragment permits Text, Token {
    }

    record Text(String text, boolean first) implements Fragment {
    }

    record Token(int id) implements Fragment {
    }

    private final Map<Character, List<AddedToken>> byFirstChar = new HashMap<>();
    private final boolean any;
    private final List<AddedToken> tokens;

    AddedTokens(List<AddedToken> tokens) {
        this.tokens = List.copyOf(tokens);
        for (AddedToken t : tokens) {
            if (!t.content().isEmpty()) {
                byFirstChar.computeIfAbsent(t.content().charAt(0), k -> new ArrayList<>()).add(t);
            }
        }
        for (List<AddedToken> list : byFirstChar.values()) {
            list.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
        }
        any = !byFirstChar.isEmpty();
    }

    /** The tokens, in the order given. */
    List<AddedToken> tokens() {
        return tokens;
    }

    static AddedTokens none() {
        return new AddedTokens(List.of());
    }

    /** Splits {@code text} into fragments; empty text fragments are dropped. */
    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> out = new ArrayList<>();
        if (text.isEmpty()) {
            return out;
        }
        if (!any) {
            out.add(new Text(text, true));
            return out;
        }
        int textStart = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            AddedToken match = matchAt(text, i, parseSpecial);
            if (match == null) {
                i++;
                continue;
            }
            int left = i;
            if (match.lstrip()) {
                while (left > textStart && Character.isWhitespace(text.charAt(left - 1))) {
                    left--;
                }
            }
            if (left > textStart) {
                out.add(new Text(text.substring(textStart, left), textStart == 0));
            }
            out.add(new Token(match.id()));
            i += match.content().length();
            if (match.rstrip()) {
                while (i < n && Character.isWhitespace(text.charAt(i))) {
                    i++;
                }
            }
            textStart = i;
        }
        if (textStart < n) {
            out.add(new Text(text.substring(textStart), textStart == 0));
        }
        return out;
    }

    private AddedToken matchAt(String text, int i, boolean parseSpecial) {
        List<AddedToken> candidates = byFirstChar.get(text.charAt(i));
        if (candidates == null) {
            return null;
        }
        for (AddedToken t : candidates) {
            if ((parseSpecial || !t.special()) && text.startsWith(t.content(), i)) {
                return t;
            }
        }
        return null;
    }
}
