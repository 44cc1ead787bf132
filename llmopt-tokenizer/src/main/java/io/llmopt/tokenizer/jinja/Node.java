package io.llmopt.tokenizer.jinja;

import java.util.List;

/** The template syntax tree: statements render output, expressions evaluate to Python-like values. */
sealed interface Node {
    int line();

    // ---- statements ----
    record Text(int line, String text) implements Node {}

    record Output(int line, Node expr) implements Node {}

    record Branch(Node condition, List<Node> body) {}

    record If(int line, List<Branch> branches, List<Node> otherwise) implements Node {}

    record For(int line, List<String> targets, Node iterable, Node filter, List<Node> body, List<Node> otherwise)
            implements Node {}

    /** {@code set name = value} or {@code set name.attribute = value} (attribute non-null). */
    record Set(int line, String name, String attribute, Node value) implements Node {}

    record SetBlock(int line, String name, List<Node> body) implements Node {}

    record Param(String name, Node defaultValue) {}

    record Macro(int line, String name, List<Param> params, List<Node> body) implements Node {}

    record FilterBlock(int line, String filter, List<Node> args, List<Node> body) implements Node {}

    record Break(int line) implements Node {}

    record Continue(int line) implements Node {}

    // ---- expressions ----
    record Literal(int line, Object value) implements Node {}

    record Name(int line, String name) implements Node {}

    record Attribute(int line, Node target, String name) implements Node {}

    record Item(int line, Node target, Node index) implements Node {}

    record Slice(int line, Node target, Node start, Node stop, Node step) implements Node {}

    record Keyword(String name, Node value) {}

    record Call(int line, Node function, List<Node> args, List<Keyword> kwargs) implements Node {}

    record Filter(int line, Node value, String name, List<Node> args, List<Keyword> kwargs) implements Node {}

    record Test(int line, Node value, String name, List<Node> args, boolean negated) implements Node {}

    record Binary(int line, String op, Node left, Node right) implements Node {}

    record Unary(int line, String op, Node operand) implements Node {}

    record Compare(int line, Node first, List<String> ops, List<Node> rest) implements Node {}

    record Conditional(int line, Node condition, Node then, Node otherwise) implements Node {}

    record ListLiteral(int line, List<Node> items) implements Node {}

    record DictLiteral(int line, List<Node> keys, List<Node> values) implements Node {}
}
