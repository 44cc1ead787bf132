package io.llmopt.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.NullValue;
import com.hubspot.jinjava.interpret.TemplateSyntaxException;
import com.hubspot.jinjava.lib.tag.ElseTag;
import com.hubspot.jinjava.lib.tag.ForTag;
import com.hubspot.jinjava.lib.tag.Tag;
import com.hubspot.jinjava.tree.Node;
import com.hubspot.jinjava.tree.TagNode;
import com.hubspot.jinjava.util.ForLoop;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** The tags HF's chat-template environment has and Jinjava lacks or defines differently. */
final class ChatTemplateTags {
    /** Context key under which {@link PythonFor} leaves the items of the innermost loop. */
    static final String LOOP_ITEMS = "__py_loop_items";

    private ChatTemplateTags() {
    }

    static List<Tag> all() {
        return List.of(new FilterBlock(), new PythonFor());
    }

    /**
     * jinja2's filter section, {@code {% filter trim %}…{% endfilter %}}: the body is rendered in an inner scope, as
     * jinja2 does, and the filter expression after the tag name (name, arguments, further {@code |filters}) is
     * applied to it.
     */
    static final class FilterBlock implements Tag {
        private static final long serialVersionUID = 1L;
        private static final String BODY = "__filter_block_body";

        @Override
        public String getName() {
            return "filter";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            try (var _ = interpreter.enterScope()) {
                StringBuilder body = new StringBuilder();
                for (Node child : tagNode.getChildren()) {
                    body.append(child.render(interpreter).getValue());
                }
                interpreter.getContext().put(BODY, body.toString());
                Object filtered = interpreter.resolveELExpression(BODY + "|" + tagNode.getHelpers().strip(),
                        tagNode.getLineNumber());
                return PythonRepr.str(filtered);
            }
        }
    }

    /**
     * jinja2's {@code for}: {@code {% for a, b in items if condition %}…{% else %}…{% endfor %}}. It replaces Jinjava's
     * own, which has no loop filter ({@code if} would be read as a conditional expression), renders an {@code else}
     * body on every iteration instead of only when nothing was iterated, loops once over a whole string instead of
     * over its characters, and has no {@code loop.previtem}/{@code loop.nextitem}. The loop state is Jinjava's
     * {@link ForLoop}, so {@code loop.index}, {@code break} and {@code continue} work as before; the items are left in
     * the loop's scope, from which {@link PythonMethodResolver} answers previtem/nextitem.
     */
    static final class PythonFor implements Tag {
        private static final long serialVersionUID = 1L;

        @Override
        public String getName() {
            return "for";
        }

        @Override
        public String interpret(TagNode tagNode, JinjavaInterpreter interpreter) {
            Header header = Header.parse(tagNode, interpreter);
            List<Node> body = new ArrayList<>();
            List<Node> elseBody = new ArrayList<>();
            for (Node child : tagNode.getChildren()) {
                if (!elseBody.isEmpty() || (child instanceof TagNode t && t.getTag() instanceof ElseTag)) {
                    elseBody.add(child);
                } else {
                    body.add(child);
                }
            }
            Object collection = interpreter.resolveELExpression(header.iterable(), tagNode.getLineNumber());
            List<Object> items = items(collection);
            try (var _ = interpreter.enterScope()) {
                if (header.condition() != null) {
                    List<Object> kept = new ArrayList<>();
                    for (Object item : items) {
                        bind(header.variables(), item, interpreter);
                        Object keep = interpreter.resolveELExpression(header.condition(), tagNode.getLineNumber());
                        if (ChatTemplateFilters.truthy(keep)) {
                            kept.add(item);
                        }
                    }
                    items = kept;
                }
            }
            StringBuilder out = new StringBuilder();
            if (items.isEmpty()) {
                for (Node child : elseBody.subList(Math.min(1, elseBody.size()), elseBody.size())) {
                    out.append(child.render(interpreter).getValue());
                }
                return out.toString();
            }
            ForLoop loop = new ForLoop(items.iterator(), items.size());
            try (var _ = interpreter.enterScope()) {
                interpreter.getContext().put(ForTag.LOOP, loop);
                interpreter.getContext().put(LOOP_ITEMS, items);
                while (loop.hasNext()) {
                    bind(header.variables(), loop.next(), interpreter);
                    for (Node child : body) {
                        out.append(child.render(interpreter).getValue());
                        if (loop.isContinued()) {
                            break;
                        }
                    }
                }
            }
            return out.toString();
        }

        /** Sets the loop variables; several unpack a (key, value) entry or a list, as Python's tuple assignment. */
        private static void bind(List<String> variables, Object item, JinjavaInterpreter interpreter) {
            Object value = interpreter.wrap(item);
            if (variables.size() == 1) {
                interpreter.getContext().put(variables.getFirst(), value == null ? NullValue.INSTANCE : value);
                return;
            }
            List<?> parts = switch (value) {
                case Map.Entry<?, ?> e -> java.util.Arrays.asList(e.getKey(), e.getValue());
                case List<?> l -> l;
                case Object[] a -> java.util.Arrays.asList(a);
                case null, default -> throw new IllegalArgumentException(
                        "cannot unpack " + value + " into " + String.join(", ", variables));
            };
            if (parts.size() != variables.size()) {
                throw new IllegalArgumentException("cannot unpack " + parts.size() + " values into "
                        + String.join(", ", variables));
            }
            for (int i = 0; i < variables.size(); i++) {
                Object part = interpreter.wrap(parts.get(i));
                interpreter.getContext().put(variables.get(i), part == null ? NullValue.INSTANCE : part);
            }
        }

        /** Python's {@code list(value)}: a dict yields its keys, a string its characters, undefined/None nothing. */
        private static List<Object> items(Object collection) {
            List<Object> items = new ArrayList<>();
            switch (collection) {
                case null -> {
                }
                case CharSequence s -> s.toString().codePoints().forEach(c -> items.add(Character.toString(c)));
                case Map<?, ?> m -> items.addAll(m.keySet());
                case Collection<?> c -> items.addAll(c);
                case Object[] a -> items.addAll(List.of(a));
                case Iterable<?> it -> it.forEach(items::add);
                case Iterator<?> it -> it.forEachRemaining(items::add);
                default -> items.add(collection);
            }
            return items;
        }
    }

    /** {@code a, b in iterable if condition}: jinja2 reads the first top-level {@code if} as the loop filter. */
    record Header(List<String> variables, String iterable, String condition) {
        static Header parse(TagNode tagNode, JinjavaInterpreter interpreter) {
            String helpers = tagNode.getHelpers();
            List<ChatTemplateExpressions.Token> tokens = ChatTemplateExpressions.tokenize(helpers);
            int in = -1;
            int condition = -1;
            int depth = 0;
            for (int k = 0; tokens != null && k < tokens.size(); k++) {
                ChatTemplateExpressions.Token t = tokens.get(k);
                String x = t.string() ? "" : t.text();
                switch (x) {
                    case "(", "[", "{" -> depth++;
                    case ")", "]", "}" -> depth--;
                    case "in" -> in = in < 0 && depth == 0 ? k : in;
                    case "if" -> condition = condition < 0 && depth == 0 && in >= 0 ? k : condition;
                    default -> {
                    }
                }
            }
            if (tokens == null || in <= 0) {
                throw new TemplateSyntaxException(interpreter, helpers.strip(),
                        "Tag 'for' expects 'variables in iterable', got: " + helpers.strip());
            }
            List<String> variables = new ArrayList<>();
            for (String v : helpers.substring(0, tokens.get(in).start()).split(",")) {
                variables.add(v.strip().replaceAll("^\\(|\\)$", "").strip());
            }
            variables.removeIf(String::isEmpty);
            int iterableEnd = condition < 0 ? helpers.length() : tokens.get(condition).start();
            String iterable = helpers.substring(tokens.get(in).end(), iterableEnd).strip();
            String filter = condition < 0 ? null : helpers.substring(tokens.get(condition).end()).strip();
            return new Header(variables, iterable, filter);
        }
    }
}
