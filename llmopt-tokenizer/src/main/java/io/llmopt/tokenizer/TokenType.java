package io.llmopt.tokenizer;

/**
 * Kind of a vocabulary entry, with the numeric codes shared by SentencePiece's ModelProto and GGUF's
 * {@code tokenizer.ggml.token_type}.
 */
public enum TokenType {
    UNDEFINED(0), NORMAL(1), UNKNOWN(2), CONTROL(3), USER_DEFINED(4), UNUSED(5), BYTE(6);

    private final int code;

    TokenType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type for a code; codes outside 0..6 map to UNDEFINED, as llama.cpp does. */
    public static TokenType of(int code) {
        return code >= 0 && code < values().length ? values()[code] : UNDEFINED;
    }

    /** Control and unknown tokens are rendered by decode only on request, and parsed from text only on request. */
    public boolean isSpecial() {
        return this == CONTROL || this == UNKNOWN;
    }
}
