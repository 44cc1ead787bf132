package io.llmopt.tokenizer;

/**
 * Text-level steps of decoding, applied after the token bytes were joined and read as UTF-8 (malformed bytes become
 * U+FFFD per maximal subpart, as Rust's {@code from_utf8_lossy} and the WHATWG decoder do).
 *
 * @param stripLeadingSpace drop one space at the very start of the text: the SentencePiece dummy prefix (HF's
 *     {@code Strip} decoder with start 1, sentencepiece's own decode, llama.cpp's {@code remove_space})
 * @param cleanUpSpaces HF's {@code clean_up_tokenization_spaces}: {@code " ." → "."}, {@code " n't" → "n't"}, …
 */
record DecodeRules(boolean stripLeadingSpace, boolean cleanUpSpaces) {

    static final DecodeRules NONE = new DecodeRules(false, false);

    /**
     * HF transformers' {@code clean_up_tokenization}: ten left-to-right, non-overlapping replacements in this order.
     * Every pattern starts with a space and is at most 4 chars long, which {@link StreamingUtf8Decoder} relies on.
     */
    static String cleanUp(String s) {
        if (s.indexOf(' ') < 0) {
            return s;
        }
        return s.replace(" .", ".")
                .replace(" ?", "?")
                .replace(" !", "!")
                .replace(" ,", ",")
                .replace(" ' ", "'")
                .replace(" n't", "n't")
                .replace(" 'm", "'m")
                .replace(" 's", "'s")
                .replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    /** Longest clean-up pattern minus one: a cut with no space in the chars before it is never crossed by a match. */
    static final int CLEAN_UP_REACH = 3;
}
