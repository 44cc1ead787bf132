package io.llmopt.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text and tag tokens, applying jinja2's whitespace rules while lexing:
 * {@code {%-}/{@code -%}} (and the {{ }} and {# #} forms) strip all adjacent whitespace; with trim_blocks the first
 * newline after a block or comment tag is removed; with lstrip_blocks spaces and tabs between the start of a line and
 * a block or comment tag are removed ({@code {%+} disables it for that tag, {@code +%}} disables trim_blocks).
 */
final class Lexer {
    private static final String[] OPERATORS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<",
        ">", "=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|"};

    private final String src;
    private final boolean trimBlocks;
    private final boolean lstripBlocks;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private int line = 1;

    Lexer(String src, boolean trimBlocks, boolean lstripBlocks) {
        this.src = src;
        this.trimBlocks = trimBlocks;
        this.lstripBlocks = lstripBlocks;
    }

    List<Token> lex() {
        boolean stripNext = false; // previous tag ended with '-'
        boolean trimNext = false; // previous block/comment tag ends a line under trim_blocks
        boolean lineStart = true;
        int n = src.length();
        while (pos < n) {
            int tag = nextTag(pos);
            String text = src.substring(pos, tag < 0 ? n : tag);
            int textLine = line;
            if (stripNext) {
                String stripped = text.stripLeading();
                int removed = text.length() - stripped.length();
                lineStart = removed > 0 && text.charAt(removed - 1) == '\n';
                text = stripped;
            } else if (trimNext && text.startsWith("\n")) {
                text = text.substring(1);
                lineStart = true;
            } else if (trimNext && text.startsWith("\r\n")) {
                text = text.substring(2);
                lineStart = true;
            }
            char kind = tag < 0 ? 0 : src.charAt(tag + 1);
            char modifier = tag >= 0 && tag + 2 < n ? src.charAt(tag + 2) : 0;
            if (tag >= 0 && modifier == '-') {
                text = text.stripTrailing();
            } else if (tag >= 0 && lstripBlocks && kind != '{' && modifier != '+') {
                int lastNewline = text.lastIndexOf('\n');
                if (lastNewline >= 0 || lineStart) {
                    int k = text.length();
                    while (k > lastNewline + 1 && (text.charAt(k - 1) == ' ' || text.charAt(k - 1) == '\t')) {
                        k--;
                    }
                    if (k == lastNewline + 1) {
                        text = text.substring(0, k);
                    }
                }
            }
            advanceLines(pos, tag < 0 ? n : tag);
            if (!text.isEmpty()) {
                tokens.add(new Token(Token.Kind.TEXT, text, null, textLine));
            }
            if (tag < 0) {
                break;
            }
            pos = tag + 2 + (modifier == '-' || modifier == '+' ? 1 : 0);
            char endModifier;
            if (kind == '#') {
                int end = src.indexOf("#}", pos);
                if (end < 0) {
                    throw error("unclosed comment");
                }
                endModifier = end > pos ? src.charAt(end - 1) : 0;
                advanceLines(pos, end + 2);
                pos = end + 2;
            } else {
                boolean block = kind == '%';
                tokens.add(new Token(block ? Token.Kind.BLOCK_BEGIN : Token.Kind.VAR_BEGIN, block ? "{%" : "{{", null, line));
                endModifier = lexTag(block ? '%' : '}');
                tokens.add(new Token(block ? Token.Kind.BLOCK_END : Token.Kind.VAR_END, block ? "%}" : "}}", null, line));
            }
            stripNext = endModifier == '-';
            trimNext = trimBlocks && kind != '{' && endModifier != '+';
            lineStart = false;
        }
        tokens.add(new Token(Token.Kind.EOF, "", null, line));
        return tokens;
    }

    private int nextTag(int from) {
        int i = from;
        while (true) {
            i = src.indexOf('{', i);
            if (i < 0 || i + 1 >= src.length()) {
                return -1;
            }
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
            i++;
        }
    }

    private void advanceLines(int from, int to) {
        for (int i = from; i < to; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
    }

    private JinjaException error(String what) {
        return new JinjaException("chat template line " + line + ": " + what);
    }

    /** Lexes expression tokens up to the closing delimiter; returns its modifier ('-', '+' or 0). */
    private char lexTag(char closer) {
        int n = src.length();
        while (true) {
            while (pos < n && Character.isWhitespace(src.charAt(pos))) {
                if (src.charAt(pos) == '\n') {
                    line++;
                }
                pos++;
            }
            if (pos >= n) {
                throw error("unclosed tag");
            }
            char c = src.charAt(pos);
            if ((c == '-' || c == '+') && src.startsWith(closer + "}", pos + 1)) {
                pos += 3;
                return c;
            }
            if (c == closer && pos + 1 < n && src.charAt(pos + 1) == '}') {
                pos += 2;
                return 0;
            }
            if (c == '\'' || c == '"') {
                lexString(c);
            } else if (Character.isDigit(c)) {
                lexNumber();
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < n && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                    pos++;
                }
                tokens.add(new Token(Token.Kind.NAME, src.substring(start, pos), null, line));
            } else {
                String op = null;
                for (String o : OPERATORS) {
                    if (src.startsWith(o, pos)) {
                        op = o;
                        break;
                    }
                }
                if (op == null) {
                    throw error("unexpected character '" + c + "'");
                }
                pos += op.length();
                tokens.add(new Token(Token.Kind.OP, op, null, line));
            }
        }
    }

    private void lexNumber() {
        int start = pos;
        int n = src.length();
        while (pos < n && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
            pos++;
        }
        boolean isFloat = false;
        if (pos + 1 < n && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            isFloat = true;
            pos++;
            while (pos < n && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
        }
        if (pos < n && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < n && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < n && Character.isDigit(src.charAt(pos))) {
                isFloat = true;
                while (pos < n && Character.isDigit(src.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = save;
            }
        }
        String text = src.substring(start, pos).replace("_", "");
        Object value = isFloat ? (Object) Double.parseDouble(text) : (Object) Long.parseLong(text);
        tokens.add(new Token(Token.Kind.NUMBER, text, value, line));
    }

    /** A Python string literal body with Python's escapes (\n, \t, \xhh, \\uXXXX, …); unknown escapes stay. */
    private void lexString(char quote) {
        int n = src.length();
        pos++;
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= n) {
                throw error("unclosed string literal");
            }
            char c = src.charAt(pos++);
            if (c == quote) {
                break;
            }
            if (c == '\n') {
                line++;
            }
            if (c != '\\' || pos >= n) {
                sb.append(c);
                continue;
            }
            char e = src.charAt(pos++);
            switch (e) {
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'v' -> sb.append('\u000B');
                case 'a' -> sb.append('\u0007');
                case '0' -> sb.append('\0');
                case '\\', '\'', '"' -> sb.append(e);
                case '\n' -> line++;
                case 'x', 'u', 'U' -> {
                    int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    if (pos + len > n) {
                        throw error("truncated \\" + e + " escape");
                    }
                    sb.appendCodePoint(Integer.parseInt(src.substring(pos, pos + len), 16));
                    pos += len;
                }
                default -> sb.append('\\').append(e);
            }
        }
        tokens.add(new Token(Token.Kind.STRING, sb.toString(), sb.toString(), line));
    }
}
