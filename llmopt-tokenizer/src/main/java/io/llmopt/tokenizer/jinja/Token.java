package io.llmopt.tokenizer.jinja;

/** One lexical token: template text, a tag delimiter, or a token of an expression inside a tag. */
record Token(Kind kind, String text, Object value, int line) {
    enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, NUMBER, OP, EOF }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isName(String name) {
        return is(Kind.NAME, name);
    }

    boolean isOp(String op) {
        return is(Kind.OP, op);
    }
}
