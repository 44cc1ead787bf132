package io.llmopt.tokenizer;

/**
 * Incremental detokenizer for one sequence. {@link #accept(int)} returns only complete text: never half of a UTF-8
 * character (byte tokens of an emoji arrive one by one) and never text that a later token could still change (the
 * clean-up of spaces before punctuation). Not thread-safe.
 */
public interface StreamingDecoder {
    /** Feeds one id; returns the text that became final (possibly empty). */
    String accept(int id);

    /** Ends the sequence: returns what was held back (an incomplete UTF-8 sequence becomes U+FFFD). */
    String flush();
}
