package io.llmopt.tokenizer.jinja;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed template. Scoping follows jinja2: a for-loop body and a macro call get their own scope
 * (assignments inside do not leak out, hence {@code namespace()}); if-blocks share the enclosing scope.
 */
final class Interpreter {
    /** Variables of one scope, chained to the enclosing one. */
    static final class Scope {
        private final Map<String, Object> vars = new HashMap<>();
        private final Scope parent;

        Scope(Scope parent) {
            this.parent = parent;
        }

        Object get(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                if (s.vars.containsKey(name)) {
                    return s.vars.get(name);
                }
            }
            return Values.UNDEFINED;
        }

        void set(String name, Object value) {
            vars.put(name, value);
        }
    }

    private static final class BreakSignal extends RuntimeException {
        BreakSignal() {
            super(null, null, false, false);
        }
    }

    private static final class ContinueSignal extends RuntimeException {
        ContinueSignal() {
            super(null, null, false, false);
        }
    }

    private static final BreakSignal BREAK = new BreakSignal();
    private static final ContinueSignal CONTINUE = new ContinueSignal();

    void render(List<Node> body, Scope scope, StringBuilder out) {
        for (Node n : body) {
            execute(n, scope, out);
        }
    }

    private void execute(Node node, Scope scope, StringBuilder out) {
        switch (node) {
            case Node.Text t -> out.append(t.text());
            case Node.Output o -> out.append(Values.str(eval(o.expr(), scope)));
            case Node.If i -> {
                for (Node.Branch b : i.branches()) {
                    if (Values.truthy(eval(b.condition(), scope))) {
                        render(b.body(), scope, out);
                        return;
                    }
                }
                render(i.otherwise(), scope, out);
            }
            case Node.For f -> loop(f, scope, out);
            case Node.Set s -> {
                Object value = eval(s.value(), scope);
                if (s.attribute() == null) {
                    scope.set(s.name(), value);
                } else if (scope.get(s.name()) instanceof Values.Namespace ns) {
                    ns.put(s.attribute(), value);
                } else {
                    throw error(s, "cannot assign attribute '" + s.attribute() + "' of " + s.name()
                            + " (only namespace() objects take attributes)");
                }
            }
            case Node.SetBlock s -> {
                StringBuilder captured = new StringBuilder();
                render(s.body(), scope, captured);
                scope.set(s.name(), captured.toString());
            }
            case Node.Macro m -> scope.set(m.name(), macro(m, scope));
            case Node.FilterBlock f -> {
                StringBuilder captured = new StringBuilder();
                render(f.body(), scope, captured);
                List<Object> args = new ArrayList<>();
                for (Node a : f.args()) {
                    args.add(eval(a, scope));
                }
                out.append(Values.str(Filters.filter(f.filter(), captured.toString(), args, Map.of(), this, scope, f)));
            }
            case Node.Break b -> throw BREAK;
            case Node.Continue c -> throw CONTINUE;
            default -> throw error(node, "not a statement");
        }
    }

    private void loop(Node.For f, Scope scope, StringBuilder out) {
        List<Object> items = Values.iterate(eval(f.iterable(), scope));
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope s = new Scope(scope);
                bind(f, s, item);
                if (Values.truthy(eval(f.filter(), s))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        if (items.isEmpty()) {
            render(f.otherwise(), scope, out);
            return;
        }
        int n = items.size();
        for (int i = 0; i < n; i++) {
            Scope s = new Scope(scope);
            bind(f, s, items.get(i));
            Map<String, Object> loop = new LinkedHashMap<>();
            loop.put("index", (long) i + 1);
            loop.put("index0", (long) i);
            loop.put("revindex", (long) (n - i));
            loop.put("revindex0", (long) (n - i - 1));
            loop.put("first", i == 0);
            loop.put("last", i == n - 1);
            loop.put("length", (long) n);
            loop.put("previtem", i > 0 ? items.get(i - 1) : Values.UNDEFINED);
            loop.put("nextitem", i + 1 < n ? items.get(i + 1) : Values.UNDEFINED);
            int index = i;
            loop.put("cycle", (Values.Callable) (args, kw) -> args.isEmpty() ? Values.UNDEFINED : args.get(index % args.size()));
            s.set("loop", loop);
            try {
                render(f.body(), s, out);
            } catch (BreakSignal b) {
                break;
            } catch (ContinueSignal c) {
                // next item
            }
        }
    }

    private void bind(Node.For f, Scope s, Object item) {
        if (f.targets().size() == 1) {
            s.set(f.targets().get(0), item);
            return;
        }
        List<Object> parts = Values.iterate(item);
        if (parts.size() != f.targets().size()) {
            throw error(f, "cannot unpack " + parts.size() + " values into " + f.targets().size() + " loop variables");
        }
        for (int k = 0; k < parts.size(); k++) {
            s.set(f.targets().get(k), parts.get(k));
        }
    }

    private Values.Callable macro(Node.Macro m, Scope definingScope) {
        return (args, kwargs) -> {
            Scope s = new Scope(definingScope);
            List<Node.Param> params = m.params();
            List<Object> extra = new ArrayList<>();
            for (int i = 0; i < args.size(); i++) {
                if (i < params.size()) {
                    s.set(params.get(i).name(), args.get(i));
                } else {
                    extra.add(args.get(i));
                }
            }
            for (int i = args.size(); i < params.size(); i++) {
                Node.Param p = params.get(i);
                if (kwargs.containsKey(p.name())) {
                    s.set(p.name(), kwargs.get(p.name()));
                } else {
                    s.set(p.name(), p.defaultValue() == null ? Values.UNDEFINED : eval(p.defaultValue(), s));
                }
            }
            s.set("varargs", extra);
            StringBuilder out = new StringBuilder();
            render(m.body(), s, out);
            return out.toString();
        };
    }

    Object eval(Node node, Scope scope) {
        switch (node) {
            case Node.Literal l -> {
                return l.value();
            }
            case Node.Name n -> {
                return scope.get(n.name());
            }
            case Node.Attribute a -> {
                return PythonMethods.attribute(eval(a.target(), scope), a.name());
            }
            case Node.Item i -> {
                return PythonMethods.item(eval(i.target(), scope), eval(i.index(), scope));
            }
            case Node.Slice s -> {
                return PythonMethods.slice(eval(s.target(), scope), s.start() == null ? null : eval(s.start(), scope),
                        s.stop() == null ? null : eval(s.stop(), scope), s.step() == null ? null : eval(s.step(), scope));
            }
            case Node.Call c -> {
                Object fn = eval(c.function(), scope);
                if (!(fn instanceof Values.Callable callable)) {
                    throw error(c, Values.typeName(fn) + " is not callable"
                            + (c.function() instanceof Node.Name n ? " ('" + n.name() + "' is undefined)" : ""));
                }
                return callable.call(args(c.args(), scope), kwargs(c.kwargs(), scope));
            }
            case Node.Filter f -> {
                return Filters.filter(f.name(), eval(f.value(), scope), args(f.args(), scope), kwargs(f.kwargs(), scope),
                        this, scope, f);
            }
            case Node.Test t -> {
                boolean r = Filters.test(t.name(), eval(t.value(), scope), args(t.args(), scope), t);
                return r != t.negated();
            }
            case Node.Unary u -> {
                Object v = eval(u.operand(), scope);
                return switch (u.op()) {
                    case "not" -> !Values.truthy(v);
                    case "-" -> v instanceof Double d ? (Object) (-d) : (Object) (-Values.toLong(v));
                    default -> v;
                };
            }
            case Node.Binary b -> {
                return binary(b, scope);
            }
            case Node.Compare c -> {
                Object left = eval(c.first(), scope);
                for (int i = 0; i < c.ops().size(); i++) {
                    Object right = eval(c.rest().get(i), scope);
                    boolean ok = switch (c.ops().get(i)) {
                        case "==" -> Values.equal(left, right);
                        case "!=" -> !Values.equal(left, right);
                        case "<" -> Values.compare(left, right) < 0;
                        case ">" -> Values.compare(left, right) > 0;
                        case "<=" -> Values.compare(left, right) <= 0;
                        case ">=" -> Values.compare(left, right) >= 0;
                        case "in" -> Values.contains(right, left);
                        default -> !Values.contains(right, left);
                    };
                    if (!ok) {
                        return false;
                    }
                    left = right;
                }
                return true;
            }
            case Node.Conditional c -> {
                if (Values.truthy(eval(c.condition(), scope))) {
                    return eval(c.then(), scope);
                }
                return c.otherwise() == null ? Values.UNDEFINED : eval(c.otherwise(), scope);
            }
            case Node.ListLiteral l -> {
                return args(l.items(), scope);
            }
            case Node.DictLiteral d -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    m.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
                }
                return m;
            }
            default -> throw error(node, "not an expression");
        }
    }

    private Object binary(Node.Binary b, Scope scope) {
        String op = b.op();
        if (op.equals("and")) {
            Object l = eval(b.left(), scope);
            return Values.truthy(l) ? eval(b.right(), scope) : l;
        }
        if (op.equals("or")) {
            Object l = eval(b.left(), scope);
            return Values.truthy(l) ? l : eval(b.right(), scope);
        }
        Object l = eval(b.left(), scope);
        Object r = eval(b.right(), scope);
        if (op.equals("~")) {
            return Values.str(l) + Values.str(r);
        }
        if (op.equals("+") && (l instanceof Values.Markup || r instanceof Values.Markup)) {
            return new Values.Markup(markupText(l) + markupText(r));
        }
        l = Values.unwrap(l);
        r = Values.unwrap(r);
        if (op.equals("+")) {
            if (l instanceof String ls && r instanceof String rs) {
                return ls + rs;
            }
            if (l instanceof List<?> ll && r instanceof List<?> rl) {
                List<Object> out = new ArrayList<>(ll);
                out.addAll(rl);
                return out;
            }
        }
        if (op.equals("*") && l instanceof String s && r instanceof Long n) {
            return s.repeat((int) Math.max(0, n));
        }
        if (op.equals("%") && l instanceof String s) {
            return PythonMethods.percentFormat(s, r);
        }
        if (!Values.isNumeric(l) || !Values.isNumeric(r)) {
            throw error(b, "unsupported operand types for " + op + ": '" + Values.typeName(l) + "' and '"
                    + Values.typeName(r) + "'");
        }
        boolean floats = l instanceof Double || r instanceof Double;
        switch (op) {
            case "+" -> {
                return floats ? (Object) (Values.toDouble(l) + Values.toDouble(r)) : (Object) (Values.toLong(l) + Values.toLong(r));
            }
            case "-" -> {
                return floats ? (Object) (Values.toDouble(l) - Values.toDouble(r)) : (Object) (Values.toLong(l) - Values.toLong(r));
            }
            case "*" -> {
                return floats ? (Object) (Values.toDouble(l) * Values.toDouble(r)) : (Object) (Values.toLong(l) * Values.toLong(r));
            }
            case "/" -> {
                return Values.toDouble(l) / Values.toDouble(r);
            }
            case "//" -> {
                return floats ? (Object) Math.floor(Values.toDouble(l) / Values.toDouble(r))
                        : (Object) Math.floorDiv(Values.toLong(l), Values.toLong(r));
            }
            case "%" -> {
                return floats ? (Object) (Values.toDouble(l) - Math.floor(Values.toDouble(l) / Values.toDouble(r)) * Values.toDouble(r))
                        : (Object) Math.floorMod(Values.toLong(l), Values.toLong(r));
            }
            case "**" -> {
                double p = Math.pow(Values.toDouble(l), Values.toDouble(r));
                return floats || Values.toLong(r) < 0 ? (Object) p : (Object) (long) p;
            }
            default -> throw error(b, "unknown operator " + op);
        }
    }

    /** The text of a Markup operand, or the HTML-escaped text of a plain one (markupsafe's {@code __add__}). */
    private static String markupText(Object v) {
        return v instanceof Values.Markup m ? m.text() : Filters.html(Values.str(v));
    }

    List<Object> args(List<Node> nodes, Scope scope) {
        List<Object> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            out.add(eval(n, scope));
        }
        return out;
    }

    private Map<String, Object> kwargs(List<Node.Keyword> nodes, Scope scope) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Node.Keyword k : nodes) {
            out.put(k.name(), eval(k.value(), scope));
        }
        return out;
    }

    static JinjaException error(Node node, String what) {
        return new JinjaException("chat template line " + node.line() + ": " + what);
    }
}
