package io.llmopt.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Source rewrites of a chat template, for what Jinjava's parser (2.7.x) reads differently from Python jinja2's. Each
 * rewrite is local, keeps line numbers, and is named here with the jinja2 semantics it reproduces; the rest of the
 * template passes through byte for byte. Code rewrites apply inside {@code {{ … }}} and {@code {% … %}} only, never
 * to text, comments, string literals or {@code {% raw %}} blocks.
 *
 * <ol>
 *   <li><b>Newlines</b> (whole source): {@code \r\n} and {@code \r} become {@code \n} and one trailing newline is
 *       dropped, as jinja2's lexer does with its defaults ({@code newline_sequence="\n"},
 *       {@code keep_trailing_newline=False}); Jinjava 2.7 keeps both.</li>
 *   <li><b>Comments</b> become the equivalent empty block {@code {% if false %}{% endif %}} (same {@code -} marks and
 *       newlines): jinja2 gives both the same lstrip/trim_blocks and {@code -} handling, but Jinjava leaves comments
 *       out of its tree, so whitespace control reaches across them (a {@code -%}} before a comment also strips the
 *       text after it).</li>
 *   <li><b>lstrip_blocks only at line start</b>: jinja2 strips the spaces and tabs before a {@code {%} or {@code {#}
 *       only when nothing else precedes the tag on its line; Jinjava strips them after any text
 *       ({@code "a  {% if x %}"} would lose its two spaces). Such mid-line whitespace is moved into an expression,
 *       {@code a{{ "  " }}{% if x %}}, which Jinjava does not strip.</li>
 *   <li><b>{@code +} modifiers</b>: {@code {%+ …} / {@code {#+ …} (no lstrip_blocks for this tag) keep the whitespace
 *       before the tag as an expression, as in the rule above; {@code … +%}} (no trim_blocks) becomes {@code %}} followed
 *       by the newline as an expression. Jinjava knows neither modifier.</li>
 *   <li><b>Expressions</b> inside tags: see {@link ChatTemplateExpressions}.</li>
 * </ol>
 */
final class ChatTemplateRewrites {
    private ChatTemplateRewrites() {
    }

    static String apply(String template) {
        String source = normalizeNewlines(template);
        StringBuilder out = new StringBuilder(source.length() + 64);
        int i = 0;
        while (i < source.length()) {
            int open = nextTagStart(source, i);
            if (open < 0) {
                out.append(source, i, source.length());
                break;
            }
            char kind = source.charAt(open + 1);
            appendText(source, i, open, kind, out);
            int close = kind == '#' ? source.indexOf("#}", open + 2) : tagEnd(source, open + 2, kind == '{' ? "}}" : "%}");
            if (close < 0) {
                out.append(source, open, source.length());
                break;
            }
            String body = source.substring(open + 2, close);
            boolean keepNewline = kind != '{' && body.endsWith("+");
            if (kind != '{') {
                body = body.substring(body.startsWith("+") ? 1 : 0, body.length() - (keepNewline ? 1 : 0));
            }
            String statement = body.strip().replaceFirst("^-", "").strip();
            if (kind == '#') {
                out.append(emptyBlock(body));
            } else if (kind == '%' && statement.startsWith("macro ")) {
                out.append(source, open, open + 2).append(ChatTemplateExpressions.rewrite(body, true))
                        .append(source, close, close + 2);
            } else {
                out.append(source, open, open + 2).append(ChatTemplateExpressions.rewrite(body, false))
                        .append(source, close, close + 2);
            }
            i = close + 2;
            if (keepNewline && i < source.length() && source.charAt(i) == '\n') {
                out.append("{{ \"\\n\" }}");
                i++;
            }
            if (kind == '%' && statement.equals("raw")) {
                Matcher endRaw = Pattern.compile("\\{%[-+]?\\s*endraw\\s*[-+]?%}").matcher(source);
                int rawEnd = endRaw.find(i) ? endRaw.end() : source.length();
                out.append(source, i, rawEnd);
                i = rawEnd;
            }
        }
        return out.toString();
    }

    /** The insides of the {@code {{ … }}} and {@code {% … %}} tags of a (rewritten) template, raw blocks excluded. */
    static List<String> tagBodies(String template) {
        List<String> bodies = new ArrayList<>();
        int i = 0;
        while (true) {
            int open = nextTagStart(template, i);
            if (open < 0) {
                return bodies;
            }
            char kind = template.charAt(open + 1);
            int close = kind == '#' ? template.indexOf("#}", open + 2) : tagEnd(template, open + 2, kind == '{' ? "}}" : "%}");
            if (close < 0) {
                return bodies;
            }
            String body = template.substring(open + 2, close);
            i = close + 2;
            if (kind == '#') {
                continue;
            }
            bodies.add(body);
            if (kind == '%' && body.strip().replaceFirst("^[-+]", "").strip().equals("raw")) {
                Matcher endRaw = Pattern.compile("\\{%[-+]?\\s*endraw\\s*[-+]?%}").matcher(template);
                i = endRaw.find(i) ? endRaw.end() : template.length();
            }
        }
    }

    /**
     * A comment as the empty block {@code {% if false %}{% endif %}}, its whitespace-control marks and line count kept.
     * jinja2 treats the two alike (lstrip_blocks before, trim_blocks after, {@code -} trimming); Jinjava drops comments
     * from its tree, so whitespace control acts across them: a {@code -%}} before a comment would also strip the text
     * after it.
     */
    private static String emptyBlock(String commentBody) {
        boolean left = commentBody.startsWith("-");
        boolean right = commentBody.endsWith("-") && commentBody.length() > (left ? 1 : 0);
        long lines = commentBody.chars().filter(c -> c == '\n').count();
        return "{%" + (left ? "-" : "") + " if false %}" + "\n".repeat((int) lines) + "{% endif " + (right ? "-" : "") + "%}";
    }

    /** jinja2's lexer: every newline becomes {@code \n}; one trailing newline is removed. */
    static String normalizeNewlines(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * Appends the text {@code source[from, to)} that precedes a tag of {@code kind}; trailing spaces and tabs that
     * jinja2's lstrip_blocks would keep (the tag is not alone at the start of its line) but Jinjava's would strip are
     * emitted as an expression instead.
     */
    private static void appendText(String source, int from, int to, char kind, StringBuilder out) {
        int wsStart = to;
        while (wsStart > from && (source.charAt(wsStart - 1) == ' ' || source.charAt(wsStart - 1) == '\t')) {
            wsStart--;
        }
        boolean lstripped = kind == '%' || kind == '#';
        boolean trimmedByTag = to + 2 < source.length() && source.charAt(to + 2) == '-';
        boolean lstripDisabled = to + 2 < source.length() && source.charAt(to + 2) == '+';
        boolean trimmedByPrevious = from >= 3 && source.charAt(from - 3) == '-'
                && (source.startsWith("}}", from - 2) || source.startsWith("%}", from - 2) || source.startsWith("#}", from - 2));
        if (!lstripped || trimmedByTag || wsStart == to || (wsStart == from && trimmedByPrevious)) {
            out.append(source, from, to);
            return;
        }
        int lineStart = source.lastIndexOf('\n', wsStart - 1) + 1;
        boolean aloneOnLine = lineStart >= from ? lineStart == wsStart : wsStart == from && (from == 0 || source.charAt(from - 1) == '\n');
        if (aloneOnLine && !lstripDisabled) {
            out.append(source, from, to);
            return;
        }
        out.append(source, from, wsStart).append("{{ \"").append(source, wsStart, to).append("\" }}");
    }

    private static int nextTagStart(String s, int from) {
        for (int i = from; i + 1 < s.length(); i++) {
            if (s.charAt(i) == '{') {
                char c = s.charAt(i + 1);
                if (c == '{' || c == '%' || c == '#') {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Index of the closing delimiter, skipping string literals. */
    private static int tagEnd(String s, int from, String delimiter) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = ChatTemplateExpressions.stringEnd(s, i);
            } else if (s.startsWith(delimiter, i)) {
                return i;
            }
        }
        return -1;
    }
}
