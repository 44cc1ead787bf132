package io.llmopt.server;

import io.llmopt.tokenizer.Tokenizer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The display text of a single token for logprobs ("token" fields): what the token adds when it follows
 * ordinary text, so SentencePiece's "▁the" shows as " the" (a lone decode would drop the leading space). A
 * token that is only part of a UTF-8 character shows U+FFFD. Cached per id; thread-safe.
 */
public final class TokenText {
    private final Tokenizer tokenizer;
    private final int[] anchor;
    private final String anchorText;
    private final ConcurrentHashMap<Integer, String> cache = new ConcurrentHashMap<>();

    public TokenText(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
        int[] a = tokenizer.encode("a", false, false);
        this.anchor = a.length > 0 ? new int[] {a[a.length - 1]} : new int[0];
        this.anchorText = tokenizer.decode(anchor, false);
    }

    public String of(int id) {
        if (id < 0 || id >= tokenizer.vocabSize()) {
            return "";
        }
        return cache.computeIfAbsent(id, this::compute);
    }

    private String compute(int id) {
        int[] ids = new int[anchor.length + 1];
        System.arraycopy(anchor, 0, ids, 0, anchor.length);
        ids[anchor.length] = id;
        String both = tokenizer.decode(ids, true);
        if (both.startsWith(anchorText)) {
            return both.substring(anchorText.length());
        }
        return tokenizer.decode(new int[] {id}, true);
    }
}
