package io.llmopt.tokenizer.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser with jinja2's operator precedence (lowest first): inline if/else, or, and, not,
 * comparisons (incl. in / not in), + -, ~, * / // %, **, unary - +, then postfix (.attr, [i], [a:b:c], calls),
 * filters (|f) and tests (is [not] t).
 */
final class Parser {
    private final List<Token> tokens;
    private int pos;

    Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    List<Node> parseTemplate() {
        List<Node> body = parseBody(Set.of());
        if (peek().kind() != Token.Kind.EOF) {
            throw error(peek(), "unexpected '" + peek().text() + "'");
        }
        return body;
    }

    // ---------------------------------------------------------------- statements

    /** Parses until a block tag whose keyword is in {@code enders} (left unconsumed: positioned at the keyword). */
    private List<Node> parseBody(Set<String> enders) {
        List<Node> out = new ArrayList<>();
        while (true) {
            Token t = peek();
            switch (t.kind()) {
                case EOF -> {
                    if (!enders.isEmpty()) {
                        String closer = enders.stream().filter(e -> e.startsWith("end")).findFirst().orElse("end");
                        throw error(t, "missing {% " + closer + " %}");
                    }
                    return out;
                }
                case TEXT -> {
                    pos++;
                    out.add(new Node.Text(t.line(), t.text()));
                }
                case VAR_BEGIN -> {
                    pos++;
                    Node e = parseExpression();
                    expect(Token.Kind.VAR_END, "}}");
                    out.add(new Node.Output(t.line(), e));
                }
                case BLOCK_BEGIN -> {
                    Token keyword = tokens.get(pos + 1);
                    if (keyword.kind() == Token.Kind.NAME && enders.contains(keyword.text())) {
                        pos++;
                        return out;
                    }
                    pos++;
                    out.add(parseStatement());
                }
                default -> throw error(t, "unexpected '" + t.text() + "'");
            }
        }
    }

    private Node parseStatement() {
        Token keyword = next();
        if (keyword.kind() != Token.Kind.NAME) {
            throw error(keyword, "expected a statement keyword");
        }
        int line = keyword.line();
        switch (keyword.text()) {
            case "if" -> {
                List<Node.Branch> branches = new ArrayList<>();
                Node condition = parseExpression();
                endBlock();
                List<Node> body = parseBody(Set.of("elif", "else", "endif"));
                branches.add(new Node.Branch(condition, body));
                List<Node> otherwise = List.of();
                while (true) {
                    Token k = next();
                    if (k.isName("elif")) {
                        Node c = parseExpression();
                        endBlock();
                        branches.add(new Node.Branch(c, parseBody(Set.of("elif", "else", "endif"))));
                    } else if (k.isName("else")) {
                        endBlock();
                        otherwise = parseBody(Set.of("endif"));
                    } else {
                        endBlock();
                        return new Node.If(line, branches, otherwise);
                    }
                }
            }
            case "for" -> {
                List<String> targets = new ArrayList<>();
                targets.add(name());
                while (peek().isOp(",")) {
                    pos++;
                    targets.add(name());
                }
                if (!next().isName("in")) {
                    throw error(tokens.get(pos - 1), "expected 'in' in for loop");
                }
                Node iterable = parseOr();
                Node filter = null;
                if (peek().isName("if")) {
                    pos++;
                    filter = parseOr();
                }
                if (peek().isName("recursive")) {
                    throw error(peek(), "recursive loops are not supported");
                }
                endBlock();
                List<Node> body = parseBody(Set.of("else", "endfor"));
                List<Node> otherwise = List.of();
                if (next().isName("else")) {
                    endBlock();
                    otherwise = parseBody(Set.of("endfor"));
                    next();
                }
                endBlock();
                return new Node.For(line, targets, iterable, filter, body, otherwise);
            }
            case "set" -> {
                String target = name();
                String attribute = null;
                if (peek().isOp(".")) {
                    pos++;
                    attribute = name();
                }
                if (peek().kind() == Token.Kind.BLOCK_END && attribute == null) {
                    endBlock();
                    List<Node> body = parseBody(Set.of("endset"));
                    next();
                    endBlock();
                    return new Node.SetBlock(line, target, body);
                }
                expectOp("=");
                Node value = parseTupleOrExpression();
                endBlock();
                return new Node.Set(line, target, attribute, value);
            }
            case "macro" -> {
                String macroName = name();
                expectOp("(");
                List<Node.Param> params = new ArrayList<>();
                while (!peek().isOp(")")) {
                    String p = name();
                    Node def = null;
                    if (peek().isOp("=")) {
                        pos++;
                        def = parseExpression();
                    }
                    params.add(new Node.Param(p, def));
                    if (!peek().isOp(")")) {
                        expectOp(",");
                    }
                }
                pos++;
                endBlock();
                List<Node> body = parseBody(Set.of("endmacro"));
                next();
                endBlock();
                return new Node.Macro(line, macroName, params, body);
            }
            case "filter" -> {
                String filter = name();
                List<Node> args = new ArrayList<>();
                if (peek().isOp("(")) {
                    pos++;
                    args = parseArgs(new ArrayList<>());
                }
                endBlock();
                List<Node> body = parseBody(Set.of("endfilter"));
                next();
                endBlock();
                return new Node.FilterBlock(line, filter, args, body);
            }
            case "break" -> {
                endBlock();
                return new Node.Break(line);
            }
            case "continue" -> {
                endBlock();
                return new Node.Continue(line);
            }
            default -> throw error(keyword, "unsupported statement '" + keyword.text() + "'");
        }
    }

    // ---------------------------------------------------------------- expressions

    /** {@code a, b} without brackets is a tuple (as in {@code set x = a, b}). */
    private Node parseTupleOrExpression() {
        Node first = parseExpression();
        if (!peek().isOp(",")) {
            return first;
        }
        List<Node> items = new ArrayList<>(List.of(first));
        while (peek().isOp(",")) {
            pos++;
            items.add(parseExpression());
        }
        return new Node.ListLiteral(first.line(), items);
    }

    Node parseExpression() {
        Node value = parseOr();
        if (peek().isName("if")) {
            int line = next().line();
            Node condition = parseOr();
            Node otherwise = null;
            if (peek().isName("else")) {
                pos++;
                otherwise = parseExpression();
            }
            return new Node.Conditional(line, condition, value, otherwise);
        }
        return value;
    }

    private Node parseOr() {
        Node left = parseAnd();
        while (peek().isName("or")) {
            int line = next().line();
            left = new Node.Binary(line, "or", left, parseAnd());
        }
        return left;
    }

    private Node parseAnd() {
        Node left = parseNot();
        while (peek().isName("and")) {
            int line = next().line();
            left = new Node.Binary(line, "and", left, parseNot());
        }
        return left;
    }

    private Node parseNot() {
        if (peek().isName("not")) {
            int line = next().line();
            return new Node.Unary(line, "not", parseNot());
        }
        return parseCompare();
    }

    private Node parseCompare() {
        Node first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Node> rest = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.kind() == Token.Kind.OP && Set.of("==", "!=", "<", ">", "<=", ">=").contains(t.text())) {
                pos++;
                ops.add(t.text());
            } else if (t.isName("in")) {
                pos++;
                ops.add("in");
            } else if (t.isName("not") && tokens.get(pos + 1).isName("in")) {
                pos += 2;
                ops.add("not in");
            } else {
                break;
            }
            rest.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Node.Compare(first.line(), first, ops, rest);
    }

    private Node parseMath1() {
        Node left = parseConcat();
        while (peek().isOp("+") || peek().isOp("-")) {
            Token op = next();
            left = new Node.Binary(op.line(), op.text(), left, parseConcat());
        }
        return left;
    }

    private Node parseConcat() {
        Node left = parseMath2();
        while (peek().isOp("~")) {
            Token op = next();
            left = new Node.Binary(op.line(), "~", left, parseMath2());
        }
        return left;
    }

    private Node parseMath2() {
        Node left = parsePow();
        while (peek().isOp("*") || peek().isOp("/") || peek().isOp("//") || peek().isOp("%")) {
            Token op = next();
            left = new Node.Binary(op.line(), op.text(), left, parsePow());
        }
        return left;
    }

    private Node parsePow() {
        Node left = parseUnary();
        while (peek().isOp("**")) {
            Token op = next();
            left = new Node.Binary(op.line(), "**", left, parseUnary());
        }
        return left;
    }

    private Node parseUnary() {
        if (peek().isOp("-") || peek().isOp("+")) {
            Token op = next();
            return parseFilters(new Node.Unary(op.line(), op.text(), parseUnaryNoFilter()));
        }
        return parseFilters(parsePostfix(parsePrimary()));
    }

    private Node parseUnaryNoFilter() {
        if (peek().isOp("-") || peek().isOp("+")) {
            Token op = next();
            return new Node.Unary(op.line(), op.text(), parseUnaryNoFilter());
        }
        return parsePostfix(parsePrimary());
    }

    private Node parseFilters(Node value) {
        while (true) {
            if (peek().isOp("|")) {
                int line = next().line();
                String filter = dottedName();
                List<Node> args = new ArrayList<>();
                List<Node.Keyword> kwargs = new ArrayList<>();
                if (peek().isOp("(")) {
                    pos++;
                    args = parseArgs(kwargs);
                }
                value = new Node.Filter(line, value, filter, args, kwargs);
            } else if (peek().isName("is")) {
                int line = next().line();
                boolean negated = false;
                if (peek().isName("not")) {
                    pos++;
                    negated = true;
                }
                String test = name();
                List<Node> args = new ArrayList<>();
                if (peek().isOp("(")) {
                    pos++;
                    args = parseArgs(new ArrayList<>());
                } else if (startsPrimary(peek())) {
                    args.add(parsePostfix(parsePrimary()));
                }
                value = new Node.Test(line, value, test, args, negated);
            } else {
                return value;
            }
        }
    }

    /** Test arguments without parentheses ({@code is sameas false}, {@code is divisibleby 3}). */
    private boolean startsPrimary(Token t) {
        return switch (t.kind()) {
            case STRING, NUMBER -> true;
            case NAME -> !Set.of("and", "or", "not", "if", "else", "in", "is", "for", "recursive").contains(t.text());
            default -> false;
        };
    }

    private Node parsePostfix(Node value) {
        while (true) {
            Token t = peek();
            if (t.isOp(".")) {
                pos++;
                Token n = next();
                if (n.kind() != Token.Kind.NAME && n.kind() != Token.Kind.NUMBER) {
                    throw error(n, "expected an attribute name after '.'");
                }
                value = n.kind() == Token.Kind.NUMBER ? new Node.Item(n.line(), value, new Node.Literal(n.line(), n.value()))
                        : new Node.Attribute(n.line(), value, n.text());
            } else if (t.isOp("[")) {
                pos++;
                value = parseSubscript(value, t.line());
            } else if (t.isOp("(")) {
                pos++;
                List<Node.Keyword> kwargs = new ArrayList<>();
                List<Node> args = parseArgs(kwargs);
                value = new Node.Call(t.line(), value, args, kwargs);
            } else {
                return value;
            }
        }
    }

    private Node parseSubscript(Node target, int line) {
        Node start = null;
        if (!peek().isOp(":")) {
            start = parseExpression();
            if (peek().isOp("]")) {
                pos++;
                return new Node.Item(line, target, start);
            }
        }
        Node stop = null;
        Node step = null;
        expectOp(":");
        if (!peek().isOp(":") && !peek().isOp("]")) {
            stop = parseExpression();
        }
        if (peek().isOp(":")) {
            pos++;
            if (!peek().isOp("]")) {
                step = parseExpression();
            }
        }
        expectOp("]");
        return new Node.Slice(line, target, start, stop, step);
    }

    /** Arguments after '(' up to and including ')'; keyword arguments go to {@code kwargs}. */
    private List<Node> parseArgs(List<Node.Keyword> kwargs) {
        List<Node> args = new ArrayList<>();
        while (!peek().isOp(")")) {
            if (peek().kind() == Token.Kind.NAME && tokens.get(pos + 1).isOp("=")) {
                String key = next().text();
                pos++;
                kwargs.add(new Node.Keyword(key, parseExpression()));
            } else {
                args.add(parseExpression());
            }
            if (!peek().isOp(")")) {
                expectOp(",");
            }
        }
        pos++;
        return args;
    }

    private Node parsePrimary() {
        Token t = next();
        int line = t.line();
        switch (t.kind()) {
            case STRING -> {
                StringBuilder s = new StringBuilder(t.text());
                while (peek().kind() == Token.Kind.STRING) {
                    s.append(next().text());
                }
                return new Node.Literal(line, s.toString());
            }
            case NUMBER -> {
                return new Node.Literal(line, t.value());
            }
            case NAME -> {
                return switch (t.text()) {
                    case "true", "True" -> new Node.Literal(line, Boolean.TRUE);
                    case "false", "False" -> new Node.Literal(line, Boolean.FALSE);
                    case "none", "None" -> new Node.Literal(line, null);
                    default -> new Node.Name(line, t.text());
                };
            }
            case OP -> {
                switch (t.text()) {
                    case "(" -> {
                        if (peek().isOp(")")) {
                            pos++;
                            return new Node.ListLiteral(line, List.of());
                        }
                        Node inner = parseExpression();
                        if (peek().isOp(",")) {
                            List<Node> items = new ArrayList<>(List.of(inner));
                            while (peek().isOp(",")) {
                                pos++;
                                if (peek().isOp(")")) {
                                    break;
                                }
                                items.add(parseExpression());
                            }
                            inner = new Node.ListLiteral(line, items);
                        }
                        expectOp(")");
                        return inner;
                    }
                    case "[" -> {
                        List<Node> items = new ArrayList<>();
                        while (!peek().isOp("]")) {
                            items.add(parseExpression());
                            if (!peek().isOp("]")) {
                                expectOp(",");
                            }
                        }
                        pos++;
                        return new Node.ListLiteral(line, items);
                    }
                    case "{" -> {
                        List<Node> keys = new ArrayList<>();
                        List<Node> values = new ArrayList<>();
                        while (!peek().isOp("}")) {
                            keys.add(parseExpression());
                            expectOp(":");
                            values.add(parseExpression());
                            if (!peek().isOp("}")) {
                                expectOp(",");
                            }
                        }
                        pos++;
                        return new Node.DictLiteral(line, keys, values);
                    }
                    default -> throw error(t, "unexpected '" + t.text() + "'");
                }
            }
            default -> throw error(t, "unexpected " + (t.kind() == Token.Kind.EOF ? "end of template" : "'" + t.text() + "'"));
        }
    }

    // ---------------------------------------------------------------- helpers

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind() != Token.Kind.EOF) {
            pos++;
        }
        return t;
    }

    private String name() {
        Token t = next();
        if (t.kind() != Token.Kind.NAME) {
            throw error(t, "expected a name, found '" + t.text() + "'");
        }
        return t.text();
    }

    private String dottedName() {
        StringBuilder s = new StringBuilder(name());
        while (peek().isOp(".")) {
            pos++;
            s.append('.').append(name());
        }
        return s.toString();
    }

    private void expect(Token.Kind kind, String what) {
        Token t = next();
        if (t.kind() != kind) {
            throw error(t, "expected '" + what + "', found '" + t.text() + "'");
        }
    }

    private void expectOp(String op) {
        Token t = next();
        if (!t.isOp(op)) {
            throw error(t, "expected '" + op + "', found '" + t.text() + "'");
        }
    }

    private void endBlock() {
        expect(Token.Kind.BLOCK_END, "%}");
    }

    private static JinjaException error(Token t, String what) {
        return new JinjaException("chat template line " + t.line() + ": " + what);
    }
}
