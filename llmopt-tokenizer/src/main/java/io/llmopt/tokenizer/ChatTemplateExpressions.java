package io.llmopt.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The expression rewrites of {@link ChatTemplateRewrites}: applied to the inside of each {@code {{ … }}} and
 * {@code {% … %}} tag, outside string literals, in this order.
 *
 * <ol>
 *   <li><b>Extended slices</b> {@code X[start:stop:step]} (Qwen3's {@code messages[::-1]}) become
 *       {@code (X|__py_slice(start, stop, step))}, empty bounds as {@code none}. Jinjava parses {@code X[a:b]} but not
 *       a step. Python semantics: a new list (or string) of the selected items; negative bounds count from the end;
 *       a negative step walks backwards.</li>
 *   <li><b>Attributes named like EL keywords</b> ({@code x.empty}, {@code x.div}, {@code x.eq}, …) become
 *       {@code x["empty"]}: Jinjava's expression language (JUEL) reserves these words and rejects them after a dot,
 *       where jinja2 reads any name as an attribute.</li>
 *   <li><b>{@code not} over a comparison</b>: {@code not x in y} and {@code not a == b} become {@code not (x in y)} and
 *       {@code not (a == b)}. In jinja2 {@code not} binds more loosely than comparisons, membership and arithmetic
 *       (its operand reaches the next {@code and}, {@code or}, {@code if}, {@code else} or closing bracket); in
 *       Jinjava's expression language it is a unary operator that binds tightest, which would read
 *       {@code (not x) in y}. Only a {@code not} in operand position whose operand holds such an operator is
 *       touched; {@code is not}, {@code not in} and {@code not x is defined} already mean the same in both.</li>
 *   <li><b>Keyword-argument values</b> in calls (Qwen3's {@code namespace(last_query_index=messages|length - 1)})
 *       become {@code name=(value)} unless the value is a single name or literal. In Python a keyword argument's
 *       value is a whole expression; Jinjava parses {@code =} as an operator at the precedence of {@code +}, so
 *       {@code a=x - 1} would be read as {@code (a=x) - 1}. Macro signatures are left to Jinjava.</li>
 * </ol>
 */
final class ChatTemplateExpressions {
    /** Words JUEL's scanner treats as keywords, so that {@code .word} does not parse as an attribute. */
    private static final Pattern RESERVED_ATTRIBUTE = Pattern.compile(
            "(?<=[A-Za-z0-9_\\])\\)}])\\s*\\.\\s*(empty|div|mod|eq|ne|lt|gt|le|ge|and|or|not|instanceof|true|false|null)(?![A-Za-z0-9_])");
    private static final Pattern KEYWORD_ARGUMENT =
            Pattern.compile("(?s)(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*=)(?![=])(\\s*)(.*?)(\\s*)");
    private static final Pattern ATOM = Pattern.compile(
            "(?s)-?[0-9][0-9.]*|[A-Za-z_][A-Za-z0-9_.]*|'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"|\\(.*\\)");

    private ChatTemplateExpressions() {
    }

    /** All expression rewrites of one tag body; a macro signature gets only those that cannot touch its defaults. */
    static String rewrite(String body, boolean macroSignature) {
        String s = quoteReservedAttributes(rewriteExtendedSlices(body));
        return macroSignature ? s : parenthesizeKeywordArguments(parenthesizeNotOperands(s));
    }

    /** Index of the quote closing the literal opened at {@code start} (backslash escapes honoured). */
    static int stringEnd(String s, int start) {
        char quote = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return s.length() - 1;
    }

    /** {@code X[a:b:c]} → {@code (X|__py_slice(a, b, c))}; nested slices are rewritten too. */
    static String rewriteExtendedSlices(String expression) {
        StringBuilder out = new StringBuilder(expression.length());
        int i = 0;
        while (i < expression.length()) {
            char c = expression.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(expression, i);
                out.append(expression, i, end + 1);
                i = end + 1;
                continue;
            }
            if (c == '[') {
                int close = matching(expression, i);
                List<String> parts = close < 0 ? List.of() : splitTopLevelColons(expression.substring(i + 1, close));
                int baseStart = parts.size() == 3 ? baseStart(out) : -1;
                if (baseStart >= 0 && baseStart < out.length()) {
                    String base = out.substring(baseStart);
                    out.setLength(baseStart);
                    out.append('(').append(base).append('|').append(ChatTemplateFilters.PY_SLICE).append('(');
                    for (int p = 0; p < 3; p++) {
                        String part = rewriteExtendedSlices(parts.get(p)).strip();
                        out.append(p == 0 ? "" : ", ").append(part.isEmpty() ? "none" : part);
                    }
                    out.append("))");
                    i = close + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static final Pattern TOKEN = Pattern.compile(
            "\\s*(?:('(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\")|([A-Za-z_][A-Za-z0-9_]*)|([0-9][0-9.]*)"
                    + "|(==|!=|<=|>=|//|\\*\\*|[-+*/%~<>=|(\\[{)\\]},:.?!]))");
    private static final Set<String> NOT_OPERAND_STOPS = Set.of("and", "or", "if", "else", ",", ":",
            ")", "]", "}");
    private static final Set<String> BINARY_OPERATORS = Set.of("==", "!=", "<", ">", "<=", ">=", "in",
            "+", "-", "*", "/", "//", "%", "**", "~");
    private static final Set<String> BEFORE_UNARY = Set.of("(", "[", "{", ",", ":", "=", "==", "!=",
            "<", ">", "<=", ">=", "+", "-", "*", "/", "//", "%", "**", "~", "and", "or", "not", "if", "elif", "else",
            "in", "return");

    /** A token of a Jinja expression: its text (a string literal with its quotes) and where it lies. */
    record Token(String text, int start, int end, boolean string) {
    }

    /** The tokens of an expression (strings, names, numbers, operators), or null if something else is met. */
    static List<Token> tokenize(String expression) {
        List<Token> tokens = new ArrayList<>();
        Matcher m = TOKEN.matcher(expression);
        int i = 0;
        while (i < expression.length()) {
            if (!m.find(i) || m.start() != i) {
                return expression.substring(i).isBlank() ? tokens : null;
            }
            int group = m.group(1) != null ? 1 : m.group(2) != null ? 2 : m.group(3) != null ? 3 : 4;
            tokens.add(new Token(m.group(group), m.start(group), m.end(group), group == 1));
            i = m.end();
        }
        return tokens;
    }

    /** {@code not a == b} → {@code not (a == b)}, for a {@code not} in operand position (see the class comment). */
    static String parenthesizeNotOperands(String body) {
        int from = 0;
        int to = body.length();
        while (from < to && Character.isWhitespace(body.charAt(from))) {
            from++;
        }
        if (from < to && (body.charAt(from) == '-' || body.charAt(from) == '+')) {
            from++;
        }
        while (to > from && Character.isWhitespace(body.charAt(to - 1))) {
            to--;
        }
        if (to > from && (body.charAt(to - 1) == '-' || body.charAt(to - 1) == '+')) {
            to--;
        }
        List<Token> tokens = tokenize(body.substring(from, to));
        if (tokens == null) {
            return body;
        }
        TreeMap<Integer, String> inserts = new TreeMap<>();
        for (int k = 0; k < tokens.size(); k++) {
            Token t = tokens.get(k);
            if (t.string() || !t.text().equals("not")) {
                continue;
            }
            Token previous = k == 0 ? null : tokens.get(k - 1);
            if (previous != null && (previous.string() || !BEFORE_UNARY.contains(previous.text()))) {
                continue;
            }
            if (k + 1 < tokens.size() && tokens.get(k + 1).text().equals("in") && !tokens.get(k + 1).string()) {
                continue;
            }
            int depth = 0;
            int end = k + 1;
            boolean hasBinaryOperator = false;
            for (; end < tokens.size(); end++) {
                Token u = tokens.get(end);
                String x = u.string() ? "" : u.text();
                if (depth == 0 && NOT_OPERAND_STOPS.contains(x)) {
                    break;
                }
                if (x.equals("(") || x.equals("[") || x.equals("{")) {
                    depth++;
                } else if (x.equals(")") || x.equals("]") || x.equals("}")) {
                    depth--;
                } else if (depth == 0 && end > k + 1 && BINARY_OPERATORS.contains(x)
                        && !tokens.get(end - 1).text().equals("is")) {
                    hasBinaryOperator = true;
                }
            }
            if (hasBinaryOperator) {
                inserts.merge(from + tokens.get(k + 1).start(), "(", (a, b) -> a + b);
                inserts.merge(from + tokens.get(end - 1).end(), ")", (a, b) -> a + b);
            }
        }
        StringBuilder out = new StringBuilder(body);
        for (var e : inserts.descendingMap().entrySet()) {
            out.insert(e.getKey(), e.getValue());
        }
        return out.toString();
    }

    /** {@code x.empty} → {@code x["empty"]} for the words JUEL reserves; string literals are left alone. */
    static String quoteReservedAttributes(String expression) {
        StringBuilder out = new StringBuilder(expression.length());
        int i = 0;
        while (i < expression.length()) {
            int quote = nextQuote(expression, i);
            String code = expression.substring(i, quote);
            out.append(RESERVED_ATTRIBUTE.matcher(code).replaceAll("[\"$1\"]"));
            if (quote == expression.length()) {
                break;
            }
            int end = stringEnd(expression, quote);
            out.append(expression, quote, end + 1);
            i = end + 1;
        }
        return out.toString();
    }

    private static int nextQuote(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (s.charAt(i) == '\'' || s.charAt(i) == '"') {
                return i;
            }
        }
        return s.length();
    }

    /** In every call {@code f(…)}, {@code name=value} → {@code name=(value)} unless the value is a single atom. */
    static String parenthesizeKeywordArguments(String expression) {
        StringBuilder out = new StringBuilder(expression.length());
        int i = 0;
        while (i < expression.length()) {
            char c = expression.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(expression, i);
                out.append(expression, i, end + 1);
                i = end + 1;
                continue;
            }
            if (c == '(' && isCall(out)) {
                int close = matching(expression, i);
                if (close > 0) {
                    List<String> arguments = splitTopLevel(expression.substring(i + 1, close), ',');
                    out.append('(');
                    for (int a = 0; a < arguments.size(); a++) {
                        out.append(a == 0 ? "" : ",").append(keywordArgument(arguments.get(a)));
                    }
                    out.append(')');
                    i = close + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static String keywordArgument(String argument) {
        Matcher m = KEYWORD_ARGUMENT.matcher(argument);
        if (!m.matches()) {
            return parenthesizeKeywordArguments(argument);
        }
        String value = parenthesizeKeywordArguments(m.group(3));
        if (ATOM.matcher(value).matches() && (!value.startsWith("(") || matching(value, 0) == value.length() - 1)) {
            return m.group(1) + m.group(2) + value + m.group(4);
        }
        return m.group(1) + m.group(2) + "(" + value + ")" + m.group(4);
    }

    /** Whether the text before a {@code (} ends in a callee: a name, or a call/subscript result. */
    private static boolean isCall(StringBuilder before) {
        int i = before.length() - 1;
        while (i >= 0 && before.charAt(i) == ' ') {
            i--;
        }
        if (i < 0) {
            return false;
        }
        char c = before.charAt(i);
        if (c == ')' || c == ']') {
            return true;
        }
        if (!(Character.isLetterOrDigit(c) || c == '_')) {
            return false;
        }
        int end = i + 1;
        while (i >= 0 && (Character.isLetterOrDigit(before.charAt(i)) || before.charAt(i) == '_')) {
            i--;
        }
        String word = before.substring(i + 1, end);
        return !(word.equals("not") || word.equals("and") || word.equals("or") || word.equals("in")
                || word.equals("if") || word.equals("else") || word.equals("is"));
    }

    /** Index of the bracket closing the one at {@code open}, or -1. */
    private static int matching(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(s, i);
            } else if (c == '[' || c == '(' || c == '{') {
                depth++;
            } else if (c == ']' || c == ')' || c == '}') {
                if (--depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }

    private static List<String> splitTopLevelColons(String s) {
        return splitTopLevel(s, ':');
    }

    private static List<String> splitTopLevel(String s, char separator) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(s, i);
            } else if (c == '[' || c == '(' || c == '{') {
                depth++;
            } else if (c == ']' || c == ')' || c == '}') {
                depth--;
            } else if (c == separator && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    /**
     * Start of the primary expression that ends {@code out}: a name with attribute/subscript/call suffixes, a
     * parenthesised expression or a string literal; -1 if {@code out} does not end in one.
     */
    private static int baseStart(StringBuilder out) {
        int i = out.length() - 1;
        while (i >= 0) {
            char c = out.charAt(i);
            if (c == ']' || c == ')') {
                i = matchingBackwards(out, i);
                if (i < 0) {
                    return -1;
                }
                i--;
            } else if (c == '\'' || c == '"') {
                int j = i - 1;
                while (j >= 0 && out.charAt(j) != c) {
                    j--;
                }
                if (j < 0) {
                    return -1;
                }
                i = j - 1;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '.') {
                i--;
            } else {
                break;
            }
        }
        return i + 1;
    }

    private static int matchingBackwards(StringBuilder s, int close) {
        int depth = 0;
        for (int i = close; i >= 0; i--) {
            char c = s.charAt(i);
            if (c == ']' || c == ')' || c == '}') {
                depth++;
            } else if (c == '[' || c == '(' || c == '{') {
                if (--depth == 0) {
                    return i;
                }
            }
        }
        return -1;
    }
}
