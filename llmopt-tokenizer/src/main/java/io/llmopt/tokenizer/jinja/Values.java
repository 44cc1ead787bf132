package io.llmopt.tokenizer.jinja;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Python semantics for template values. Representation: None = {@code null}, undefined = {@link #UNDEFINED},
 * bool = Boolean, int = Long, float = Double, str = String, list/tuple = List, dict = Map (insertion ordered),
 * plus {@link Namespace}, {@link Callable} (macros, functions, bound methods) and the loop object.
 */
final class Values {
    private Values() {
    }

    /** jinja2's default Undefined: renders as "", is falsy, iterates as empty. */
    static final Object UNDEFINED = new Object() {
        @Override
        public String toString() {
            return "Undefined";
        }
    };

    /** A {@code namespace(...)}: a dict whose attributes can be assigned with {@code set ns.x = …}. */
    static final class Namespace extends java.util.LinkedHashMap<String, Object> {
    }

    /**
     * markupsafe's {@code Markup} (what {@code |safe} returns): concatenating it with a plain string HTML-escapes the
     * plain side, even with autoescape off. Elsewhere it behaves as its text.
     */
    record Markup(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    /** A Markup's text, any other value unchanged. */
    static Object unwrap(Object v) {
        return v instanceof Markup m ? m.text() : v;
    }

    /** Anything callable from a template. */
    @FunctionalInterface
    interface Callable {
        Object call(List<Object> args, Map<String, Object> kwargs);
    }

    static boolean truthy(Object v) {
        v = unwrap(v);
        if (v == null || v == UNDEFINED) {
            return false;
        }
        return switch (v) {
            case Boolean b -> b;
            case Long l -> l != 0;
            case Double d -> d != 0.0;
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            default -> true;
        };
    }

    /** Python's {@code str()}, which is what {@code {{ x }}} prints. */
    static String str(Object v) {
        if (v == UNDEFINED) {
            return "";
        }
        v = unwrap(v);
        return v instanceof String s ? s : repr(v);
    }

    /** Python's {@code repr()}: strings quoted, lists/dicts in Python syntax. */
    static String repr(Object v) {
        if (v == null) {
            return "None";
        }
        if (v == UNDEFINED) {
            return "";
        }
        return switch (v) {
            case Boolean b -> b ? "True" : "False";
            case Long l -> l.toString();
            case Double d -> floatRepr(d);
            case String s -> stringRepr(s);
            case List<?> l -> {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i == 0 ? "" : ", ").append(repr(l.get(i)));
                }
                yield sb.append(']').toString();
            }
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder(v instanceof Namespace ? "<Namespace {" : "{");
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(first ? "" : ", ").append(repr(e.getKey())).append(": ").append(repr(e.getValue()));
                    first = false;
                }
                yield sb.append(v instanceof Namespace ? "}>" : "}").toString();
            }
            default -> v.toString();
        };
    }

    private static String stringRepr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c == quote) {
                        sb.append('\\').append(c);
                    } else if (c < 0x20 || c == 0x7F) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append(quote).toString();
    }

    /** Python's float repr: shortest round-trip digits, ".0" for integral values, exponent form past 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return (d == 0 && 1 / d < 0 ? "-" : "") + String.valueOf((long) d) + ".0";
        }
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        int exp = Integer.parseInt(s.substring(e + 1));
        if (exp >= -4 && exp < 16) {
            return new java.math.BigDecimal(s).toPlainString();
        }
        return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }

    /** Python {@code ==}: numbers compare by value across int/float/bool; containers element-wise. */
    static boolean equal(Object a, Object b) {
        a = unwrap(a);
        b = unwrap(b);
        if (a == b) {
            return true;
        }
        if (a == null || b == null || a == UNDEFINED || b == UNDEFINED) {
            return false;
        }
        if (isNumeric(a) && isNumeric(b)) {
            return toDouble(a) == toDouble(b);
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            if (la.size() != lb.size()) {
                return false;
            }
            for (int i = 0; i < la.size(); i++) {
                if (!equal(la.get(i), lb.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    static boolean isNumeric(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof Boolean;
    }

    static double toDouble(Object v) {
        return switch (v) {
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b ? 1 : 0;
            default -> throw new JinjaException("expected a number, got " + typeName(v));
        };
    }

    static long toLong(Object v) {
        return switch (v) {
            case Long l -> l;
            case Double d -> (long) (double) d;
            case Boolean b -> b ? 1 : 0;
            default -> throw new JinjaException("expected an integer, got " + typeName(v));
        };
    }

    /** Python ordering for numbers and strings (and lists, element-wise). */
    static int compare(Object a, Object b) {
        a = unwrap(a);
        b = unwrap(b);
        if (isNumeric(a) && isNumeric(b)) {
            return Double.compare(toDouble(a), toDouble(b));
        }
        if (a instanceof String sa && b instanceof String sb) {
            return sa.compareTo(sb) < 0 ? -1 : sa.equals(sb) ? 0 : 1;
        }
        if (a instanceof List<?> la && b instanceof List<?> lb) {
            for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
                int c = compare(la.get(i), lb.get(i));
                if (c != 0) {
                    return c;
                }
            }
            return Integer.compare(la.size(), lb.size());
        }
        throw new JinjaException("cannot compare " + typeName(a) + " with " + typeName(b));
    }

    static String typeName(Object v) {
        if (v == null) {
            return "NoneType";
        }
        if (v == UNDEFINED) {
            return "Undefined";
        }
        return switch (v) {
            case Boolean b -> "bool";
            case Long l -> "int";
            case Double d -> "float";
            case String s -> "str";
            case Markup m -> "str";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            default -> v.getClass().getSimpleName();
        };
    }

    /** Python iteration: lists, dict keys, string characters; undefined and None iterate as nothing (lenient). */
    static List<Object> iterate(Object v) {
        v = unwrap(v);
        if (v == null || v == UNDEFINED) {
            return List.of();
        }
        return switch (v) {
            case List<?> l -> new ArrayList<>(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case String s -> {
                List<Object> out = new ArrayList<>();
                s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
                yield out;
            }
            default -> throw new JinjaException("'" + typeName(v) + "' object is not iterable");
        };
    }

    static boolean contains(Object containerValue, Object itemValue) {
        Object container = unwrap(containerValue);
        Object item = unwrap(itemValue);
        return switch (container) {
            case String s when item instanceof String i -> s.contains(i);
            case String s -> throw new JinjaException("'in <string>' requires string as left operand, not " + typeName(item));
            case List<?> l -> l.stream().anyMatch(x -> equal(x, item));
            case Map<?, ?> m -> m.containsKey(item);
            case null -> throw new JinjaException("argument of type 'NoneType' is not iterable");
            default -> {
                if (container == UNDEFINED) {
                    yield false;
                }
                throw new JinjaException("argument of type '" + typeName(container) + "' is not iterable");
            }
        };
    }

    /**
     * Python's {@code json.dumps} as transformers' {@code tojson} calls it: ensure_ascii=False, default separators
     * ({@code ", "} and {@code ": "}; {@code ","} between items when indenting), optional indent and sort_keys.
     */
    static String json(Object v, Integer indent, boolean sortKeys) {
        StringBuilder sb = new StringBuilder();
        json(v, indent, sortKeys, 0, sb);
        return sb.toString();
    }

    private static void json(Object v, Integer indent, boolean sortKeys, int depth, StringBuilder sb) {
        v = unwrap(v);
        if (v == null || v == UNDEFINED) {
            sb.append("null");
            return;
        }
        switch (v) {
            case Boolean b -> sb.append(b ? "true" : "false");
            case Long l -> sb.append(l);
            case Double d -> sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
                    : floatRepr(d));
            case String s -> jsonString(s, sb);
            case List<?> l -> {
                if (l.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i == 0 ? "" : indent == null ? ", " : ",");
                    newline(indent, depth + 1, sb);
                    json(l.get(i), indent, sortKeys, depth + 1, sb);
                }
                newline(indent, depth, sb);
                sb.append(']');
            }
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                Map<?, ?> entries = m;
                if (sortKeys) {
                    TreeMap<String, Object> sorted = new TreeMap<>();
                    m.forEach((k, x) -> sorted.put(str(k), x));
                    entries = sorted;
                }
                sb.append('{');
                Iterator<? extends Map.Entry<?, ?>> it = entries.entrySet().iterator();
                boolean first = true;
                while (it.hasNext()) {
                    Map.Entry<?, ?> e = it.next();
                    sb.append(first ? "" : indent == null ? ", " : ",");
                    first = false;
                    newline(indent, depth + 1, sb);
                    Object key = e.getKey();
                    jsonString(key instanceof String s ? s : key instanceof Boolean b ? (b ? "true" : "false")
                            : key == null ? "null" : str(key), sb);
                    sb.append(": ");
                    json(e.getValue(), indent, sortKeys, depth + 1, sb);
                }
                newline(indent, depth, sb);
                sb.append('}');
            }
            default -> throw new JinjaException("Object of type " + typeName(v) + " is not JSON serializable");
        }
    }

    private static void newline(Integer indent, int depth, StringBuilder sb) {
        if (indent != null) {
            sb.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void jsonString(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
