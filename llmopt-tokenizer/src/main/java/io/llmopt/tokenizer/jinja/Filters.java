package io.llmopt.tokenizer.jinja;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** jinja2's built-in filters and tests (the subset chat templates use), with Python semantics. */
final class Filters {
    private Filters() {
    }

    // ---------------------------------------------------------------- filters

    static Object filter(String name, Object value, List<Object> args, Map<String, Object> kw, Interpreter interpreter,
            Interpreter.Scope scope, Node node) {
        value = Values.unwrap(value);
        Object arg0 = args.isEmpty() ? null : args.get(0);
        switch (name) {
            case "tojson" -> {
                Object indent = kw.getOrDefault("indent", arg0);
                return Values.json(value, indent == null ? null : (int) Values.toLong(indent),
                        Values.truthy(kw.get("sort_keys")));
            }
            case "trim" -> {
                return PythonMethods.strip(Values.str(value), arg0 == null ? null : Values.str(arg0), true, true);
            }
            case "length", "count" -> {
                return switch (value) {
                    case String s -> (long) s.codePointCount(0, s.length());
                    case List<?> l -> (long) l.size();
                    case Map<?, ?> m -> (long) m.size();
                    case null -> throw Interpreter.error(node, "object of type 'NoneType' has no len()");
                    default -> value == Values.UNDEFINED ? 0L : (Object) (long) Values.iterate(value).size();
                };
            }
            case "lower" -> {
                return Values.str(value).toLowerCase(Locale.ROOT);
            }
            case "upper" -> {
                return Values.str(value).toUpperCase(Locale.ROOT);
            }
            case "title" -> {
                return PythonMethods.title(Values.str(value));
            }
            case "capitalize" -> {
                return PythonMethods.capitalize(Values.str(value));
            }
            case "safe" -> {
                return new Values.Markup(Values.str(value));
            }
            case "e", "escape", "forceescape" -> {
                return new Values.Markup(html(Values.str(value)));
            }
            case "string" -> {
                return Values.str(value);
            }
            case "int" -> {
                try {
                    return value instanceof String s ? (Object) Long.parseLong(s.strip()) : (Object) Values.toLong(value);
                } catch (RuntimeException e) {
                    return arg0 == null ? 0L : arg0;
                }
            }
            case "float" -> {
                try {
                    return value instanceof String s ? Double.parseDouble(s.strip()) : Values.toDouble(value);
                } catch (RuntimeException e) {
                    return arg0 == null ? 0.0 : arg0;
                }
            }
            case "abs" -> {
                return value instanceof Double d ? (Object) Math.abs(d) : (Object) Math.abs(Values.toLong(value));
            }
            case "round" -> {
                int precision = arg0 == null ? 0 : (int) Values.toLong(arg0);
                double scale = Math.pow(10, precision);
                return Math.round(Values.toDouble(value) * scale) / scale;
            }
            case "default", "d" -> {
                boolean boolean_ = Values.truthy(args.size() > 1 ? args.get(1) : kw.get("boolean"));
                Object fallback = arg0 == null && !args.isEmpty() ? null : arg0 == null ? kw.getOrDefault("default_value", "") : arg0;
                return value == Values.UNDEFINED || (boolean_ && !Values.truthy(value)) ? fallback : value;
            }
            case "list" -> {
                return Values.iterate(value);
            }
            case "items" -> {
                if (!(value instanceof Map<?, ?> m)) {
                    throw Interpreter.error(node, "items filter needs a mapping, got " + Values.typeName(value));
                }
                return PythonMethods.dictMethod(m, "items").call(List.of(), Map.of());
            }
            case "first" -> {
                List<Object> l = Values.iterate(value);
                return l.isEmpty() ? Values.UNDEFINED : l.get(0);
            }
            case "last" -> {
                List<Object> l = Values.iterate(value);
                return l.isEmpty() ? Values.UNDEFINED : l.get(l.size() - 1);
            }
            case "reverse" -> {
                if (value instanceof String s) {
                    return new StringBuilder(s).reverse().toString();
                }
                List<Object> l = Values.iterate(value);
                Collections.reverse(l);
                return l;
            }
            case "join" -> {
                String sep = arg0 == null ? Values.str(kw.getOrDefault("d", "")) : Values.str(arg0);
                Object attribute = args.size() > 1 ? args.get(1) : kw.get("attribute");
                StringBuilder sb = new StringBuilder();
                List<Object> items = Values.iterate(value);
                for (int i = 0; i < items.size(); i++) {
                    Object item = attribute == null ? items.get(i) : PythonMethods.item(items.get(i), attribute);
                    sb.append(i == 0 ? "" : sep).append(Values.str(item));
                }
                return sb.toString();
            }
            case "replace" -> {
                return PythonMethods.replace(Values.str(value), Values.str(arg0), Values.str(args.get(1)),
                        args.size() > 2 ? (int) Values.toLong(args.get(2)) : -1);
            }
            case "indent" -> {
                Object width = kw.getOrDefault("width", arg0 == null ? 4L : arg0);
                boolean first = Values.truthy(args.size() > 1 ? args.get(1) : kw.get("first"));
                boolean blank = Values.truthy(args.size() > 2 ? args.get(2) : kw.get("blank"));
                return indent(Values.str(value), width instanceof String w ? w : " ".repeat((int) Values.toLong(width)),
                        first, blank);
            }
            case "unique" -> {
                List<Object> out = new ArrayList<>();
                Set<Object> seen = new HashSet<>();
                for (Object v : Values.iterate(value)) {
                    Object key = v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
                    if (seen.add(key)) {
                        out.add(v);
                    }
                }
                return out;
            }
            case "sort" -> {
                List<Object> l = Values.iterate(value);
                Object attribute = kw.get("attribute");
                Comparator<Object> c = (a, b) -> Values.compare(sortKey(attribute == null ? a : PythonMethods.item(a, attribute)),
                        sortKey(attribute == null ? b : PythonMethods.item(b, attribute)));
                l.sort(Values.truthy(kw.getOrDefault("reverse", arg0)) ? c.reversed() : c);
                return l;
            }
            case "map" -> {
                List<Object> out = new ArrayList<>();
                for (Object v : Values.iterate(value)) {
                    if (kw.containsKey("attribute")) {
                        Object a = PythonMethods.item(v, kw.get("attribute"));
                        out.add(a == Values.UNDEFINED && kw.containsKey("default") ? kw.get("default") : a);
                    } else {
                        out.add(filter(Values.str(arg0), v, args.subList(1, args.size()), Map.of(), interpreter, scope, node));
                    }
                }
                return out;
            }
            case "select", "reject" -> {
                List<Object> out = new ArrayList<>();
                for (Object v : Values.iterate(value)) {
                    boolean ok = arg0 == null ? Values.truthy(v)
                            : test(Values.str(arg0), v, args.subList(1, args.size()), node);
                    if (ok == name.equals("select")) {
                        out.add(v);
                    }
                }
                return out;
            }
            case "selectattr", "rejectattr" -> {
                List<Object> out = new ArrayList<>();
                for (Object v : Values.iterate(value)) {
                    Object a = PythonMethods.item(v, arg0);
                    boolean ok = args.size() < 2 ? Values.truthy(a) : test(Values.str(args.get(1)), a, args.subList(2, args.size()), node);
                    if (ok == name.equals("selectattr")) {
                        out.add(v);
                    }
                }
                return out;
            }
            case "dictsort" -> {
                if (!(value instanceof Map<?, ?> m)) {
                    throw Interpreter.error(node, "dictsort needs a mapping");
                }
                List<Object> pairs = PythonMethods.dictMethod(m, "items").call(List.of(), Map.of()) instanceof List<?> l
                        ? new ArrayList<>(l) : new ArrayList<>();
                pairs.sort((a, b) -> Values.compare(sortKey(((List<?>) a).get(0)), sortKey(((List<?>) b).get(0))));
                return pairs;
            }
            case "wordcount" -> {
                return (long) PythonMethods.split(Values.str(value), null, -1).size();
            }
            default -> throw Interpreter.error(node, "unknown filter '" + name + "'");
        }
    }

    private static Object sortKey(Object v) {
        return v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;").replace("'", "&#39;");
    }

    /** jinja2 3.1's indent filter (lines split like str.splitlines after appending a newline). */
    static String indent(String s, String indention, boolean first, boolean blank) {
        List<String> lines = new ArrayList<>(List.of((s + "\n").split("\r\n|\r|\n", -1)));
        lines.remove(lines.size() - 1);
        StringBuilder rv = new StringBuilder();
        if (blank) {
            rv.append(String.join("\n" + indention, lines));
        } else {
            rv.append(lines.isEmpty() ? "" : lines.get(0));
            for (int i = 1; i < lines.size(); i++) {
                rv.append('\n').append(lines.get(i).isEmpty() ? "" : indention + lines.get(i));
            }
        }
        return first ? indention + rv : rv.toString();
    }

    // ---------------------------------------------------------------- tests

    static boolean test(String name, Object v, List<Object> args, Node node) {
        v = Values.unwrap(v);
        Object arg = args.isEmpty() ? null : Values.unwrap(args.get(0));
        return switch (name) {
            case "defined" -> v != Values.UNDEFINED;
            case "undefined" -> v == Values.UNDEFINED;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> v instanceof Long || v instanceof Double;
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map;
            case "sequence" -> v instanceof List || v instanceof String || v instanceof Map;
            case "iterable" -> v instanceof List || v instanceof String || v instanceof Map;
            case "callable" -> v instanceof Values.Callable;
            case "odd" -> Values.toLong(v) % 2 != 0;
            case "even" -> Values.toLong(v) % 2 == 0;
            case "divisibleby" -> Values.toLong(v) % Values.toLong(arg) == 0;
            case "eq", "equalto", "==" -> Values.equal(v, arg);
            case "ne", "!=" -> !Values.equal(v, arg);
            case "lt", "lessthan", "<" -> Values.compare(v, arg) < 0;
            case "gt", "greaterthan", ">" -> Values.compare(v, arg) > 0;
            case "le", "<=" -> Values.compare(v, arg) <= 0;
            case "ge", ">=" -> Values.compare(v, arg) >= 0;
            case "in" -> Values.contains(arg, v);
            case "sameas" -> v == arg || (v != null && v.equals(arg) && v.getClass() == arg.getClass()
                    && (v instanceof Boolean || v == null));
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase(Locale.ROOT));
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase(Locale.ROOT));
            default -> throw Interpreter.error(node, "unknown test '" + name + "'");
        };
    }

    /** Values for {@code namespace()} and {@code dict()}: positional mappings merged with keyword arguments. */
    static Map<String, Object> mapping(List<Object> args, Map<String, Object> kw, Map<String, Object> into) {
        for (Object a : args) {
            if (a instanceof Map<?, ?> m) {
                m.forEach((k, v) -> into.put(Values.str(k), v));
            }
        }
        into.putAll(kw);
        return into;
    }

    static Map<String, Object> newDict() {
        return new LinkedHashMap<>();
    }
}
