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

/** jinja2's filters and tests, and the Python methods of str, dict and list that chat templates call. */
final class Builtins {
    private Builtins() {
    }

    // ---------------------------------------------------------------- attribute / item access

    /** jinja2 {@code getattr}: dict key, else a method of the value's Python type, else undefined. */
    static Object attribute(Object target, String name) {
        target = Values.unwrap(target);
        Object method = null;
        if (target instanceof Map<?, ?> m) {
            if (m.containsKey(name)) {
                return m.get(name);
            }
            method = target instanceof Values.Namespace ? null : dictMethod(m, name);
        } else if (target instanceof String s) {
            method = stringMethod(s, name);
        } else if (target instanceof List<?> l) {
            method = listMethod(l, name);
        }
        return method == null ? Values.UNDEFINED : method;
    }

    static Object item(Object target, Object index) {
        target = Values.unwrap(target);
        index = Values.unwrap(index);
        if (target instanceof Map<?, ?> m) {
            if (m.containsKey(index)) {
                return m.get(index);
            }
            return index instanceof String s ? attribute(target, s) : Values.UNDEFINED;
        }
        if (target instanceof List<?> l && Values.isNumeric(index)) {
            int i = (int) Values.toLong(index);
            int n = l.size();
            if (i < 0) {
                i += n;
            }
            return i >= 0 && i < n ? l.get(i) : Values.UNDEFINED;
        }
        if (target instanceof String s && Values.isNumeric(index)) {
            List<Object> chars = Values.iterate(s);
            int i = (int) Values.toLong(index);
            if (i < 0) {
                i += chars.size();
            }
            return i >= 0 && i < chars.size() ? chars.get(i) : Values.UNDEFINED;
        }
        if (index instanceof String name) {
            return attribute(target, name);
        }
        return Values.UNDEFINED;
    }

    /** Python slicing {@code [start:stop:step]} of lists and strings. */
    static Object slice(Object target, Object start, Object stop, Object step) {
        boolean isString = target instanceof String;
        List<Object> items = Values.iterate(target);
        int n = items.size();
        int st = step == null ? 1 : (int) Values.toLong(step);
        if (st == 0) {
            throw new JinjaException("slice step cannot be zero");
        }
        int lo;
        int hi;
        if (st > 0) {
            lo = start == null ? 0 : clamp((int) Values.toLong(start), n, 0, n);
            hi = stop == null ? n : clamp((int) Values.toLong(stop), n, 0, n);
        } else {
            lo = start == null ? n - 1 : clamp((int) Values.toLong(start), n, -1, n - 1);
            hi = stop == null ? -1 : clamp((int) Values.toLong(stop), n, -1, n - 1);
        }
        List<Object> out = new ArrayList<>();
        for (int i = lo; st > 0 ? i < hi : i > hi; i += st) {
            out.add(items.get(i));
        }
        if (isString) {
            StringBuilder sb = new StringBuilder();
            out.forEach(sb::append);
            return sb.toString();
        }
        return out;
    }

    private static int clamp(int index, int n, int min, int max) {
        if (index < 0) {
            index += n;
        }
        return Math.max(min, Math.min(max, index));
    }

    // ---------------------------------------------------------------- Python methods

    private static Values.Callable dictMethod(Map<?, ?> m, String name) {
        return switch (name) {
            case "get" -> (args, kw) -> {
                Object key = args.isEmpty() ? kw.get("key") : args.get(0);
                Object fallback = args.size() > 1 ? args.get(1) : kw.getOrDefault("default", null);
                return m.containsKey(key) ? m.get(key) : fallback;
            };
            case "items" -> (args, kw) -> {
                List<Object> out = new ArrayList<>();
                m.forEach((k, v) -> {
                    List<Object> pair = new ArrayList<>(2);
                    pair.add(k);
                    pair.add(v);
                    out.add(pair);
                });
                return out;
            };
            case "keys" -> (args, kw) -> new ArrayList<Object>(m.keySet());
            case "values" -> (args, kw) -> new ArrayList<Object>(m.values());
            default -> null;
        };
    }

    private static Values.Callable listMethod(List<?> l, String name) {
        return switch (name) {
            case "index" -> (args, kw) -> {
                for (int i = 0; i < l.size(); i++) {
                    if (Values.equal(l.get(i), args.get(0))) {
                        return (long) i;
                    }
                }
                throw new JinjaException(Values.repr(args.get(0)) + " is not in list");
            };
            case "count" -> (args, kw) -> l.stream().filter(x -> Values.equal(x, args.get(0))).count();
            default -> null;
        };
    }

    private static Values.Callable stringMethod(String s, String name) {
        return switch (name) {
            case "startswith" -> (args, kw) -> anyAffix(args.get(0), p -> s.startsWith(p));
            case "endswith" -> (args, kw) -> anyAffix(args.get(0), p -> s.endsWith(p));
            case "strip" -> (args, kw) -> strip(s, chars(args), true, true);
            case "lstrip" -> (args, kw) -> strip(s, chars(args), true, false);
            case "rstrip" -> (args, kw) -> strip(s, chars(args), false, true);
            case "split" -> (args, kw) -> split(s, args.isEmpty() ? null : args.get(0),
                    args.size() > 1 ? (int) Values.toLong(args.get(1)) : -1);
            case "upper" -> (args, kw) -> s.toUpperCase(Locale.ROOT);
            case "lower" -> (args, kw) -> s.toLowerCase(Locale.ROOT);
            case "title" -> (args, kw) -> title(s);
            case "capitalize" -> (args, kw) -> capitalize(s);
            case "replace" -> (args, kw) -> replace(s, Values.str(args.get(0)), Values.str(args.get(1)),
                    args.size() > 2 ? (int) Values.toLong(args.get(2)) : -1);
            case "join" -> (args, kw) -> {
                StringBuilder sb = new StringBuilder();
                List<Object> items = Values.iterate(args.get(0));
                for (int i = 0; i < items.size(); i++) {
                    sb.append(i == 0 ? "" : s).append(Values.str(items.get(i)));
                }
                return sb.toString();
            };
            case "find" -> (args, kw) -> (long) s.indexOf(Values.str(args.get(0)));
            case "count" -> (args, kw) -> {
                String sub = Values.str(args.get(0));
                long c = 0;
                for (int i = s.indexOf(sub); i >= 0 && !sub.isEmpty(); i = s.indexOf(sub, i + sub.length())) {
                    c++;
                }
                return c;
            };
            case "splitlines" -> (args, kw) -> splitlines(s);
            case "isdigit" -> (args, kw) -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isspace" -> (args, kw) -> !s.isEmpty() && s.chars().allMatch(Builtins::isPythonSpace);
            case "format" -> (args, kw) -> format(s, args, kw);
            default -> null;
        };
    }

    private static List<Object> splitlines(String s) {
        List<Object> out = new ArrayList<>();
        if (s.isEmpty()) {
            return out;
        }
        String[] parts = s.split("\r\n|\r|\n", -1);
        int n = parts[parts.length - 1].isEmpty() ? parts.length - 1 : parts.length;
        out.addAll(List.of(parts).subList(0, n));
        return out;
    }

    private static boolean anyAffix(Object affix, java.util.function.Predicate<String> test) {
        if (affix instanceof List<?> options) {
            return options.stream().anyMatch(o -> test.test(Values.str(o)));
        }
        return test.test(Values.str(affix));
    }

    private static String chars(List<Object> args) {
        return args.isEmpty() || args.get(0) == null ? null : Values.str(args.get(0));
    }

    /** Python's str.isspace() per character (Unicode White_Space plus the file/group/record separators). */
    static boolean isPythonSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        if (left) {
            while (start < end && (chars == null ? isPythonSpace(s.charAt(start)) : chars.indexOf(s.charAt(start)) >= 0)) {
                start++;
            }
        }
        if (right) {
            while (end > start && (chars == null ? isPythonSpace(s.charAt(end - 1)) : chars.indexOf(s.charAt(end - 1)) >= 0)) {
                end--;
            }
        }
        return s.substring(start, end);
    }

    /** Python str.split: without a separator, runs of whitespace split and empty parts drop. */
    static List<Object> split(String s, Object sep, int maxSplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null || sep == Values.UNDEFINED) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isPythonSpace(s.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    return out;
                }
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(strip(s.substring(i), null, false, true));
                    return out;
                }
                int j = i;
                while (j < n && !isPythonSpace(s.charAt(j))) {
                    j++;
                }
                out.add(s.substring(i, j));
                i = j;
            }
        }
        String d = Values.str(sep);
        if (d.isEmpty()) {
            throw new JinjaException("empty separator");
        }
        int from = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int k = s.indexOf(d, from);
            if (k < 0) {
                break;
            }
            out.add(s.substring(from, k));
            from = k + d.length();
        }
        out.add(s.substring(from));
        return out;
    }

    private static String replace(String s, String old, String replacement, int count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder sb = new StringBuilder();
        int from = 0;
        for (int done = 0; done < count; done++) {
            int k = s.indexOf(old, from);
            if (k < 0) {
                break;
            }
            sb.append(s, from, k).append(replacement);
            from = k + old.length();
        }
        return sb.append(s.substring(from)).toString();
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousCased = Character.isLetter(c);
        }
        return sb.toString();
    }

    private static String capitalize(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1).toLowerCase(Locale.ROOT);
    }

    /** str.format with {} / {0} / {name} fields (no format specs). */
    private static String format(String s, List<Object> args, Map<String, Object> kw) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                sb.append('{');
                i++;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                sb.append('}');
                i++;
            } else if (c == '{') {
                int end = s.indexOf('}', i);
                String field = s.substring(i + 1, end);
                Object v = field.isEmpty() ? args.get(auto++)
                        : field.chars().allMatch(Character::isDigit) ? args.get(Integer.parseInt(field)) : kw.get(field);
                sb.append(Values.str(v));
                i = end;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Python {@code "%s" % value} for %s, %r, %d, %i, %f and %%. */
    static String percentFormat(String s, Object values) {
        List<Object> args = values instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>(Collections.singletonList(values));
        StringBuilder sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%' || i + 1 >= s.length()) {
                sb.append(c);
                continue;
            }
            char f = s.charAt(++i);
            switch (f) {
                case '%' -> sb.append('%');
                case 's' -> sb.append(Values.str(args.get(next++)));
                case 'r' -> sb.append(Values.repr(args.get(next++)));
                case 'd', 'i' -> sb.append(Values.toLong(args.get(next++)));
                case 'f' -> sb.append(String.format(Locale.ROOT, "%f", Values.toDouble(args.get(next++))));
                default -> throw new JinjaException("unsupported format character '" + f + "'");
            }
        }
        return sb.toString();
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
                return strip(Values.str(value), arg0 == null ? null : Values.str(arg0), true, true);
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
                return title(Values.str(value));
            }
            case "capitalize" -> {
                return capitalize(Values.str(value));
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
                return dictMethod(m, "items").call(List.of(), Map.of());
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
                    Object item = attribute == null ? items.get(i) : item(items.get(i), attribute);
                    sb.append(i == 0 ? "" : sep).append(Values.str(item));
                }
                return sb.toString();
            }
            case "replace" -> {
                return replace(Values.str(value), Values.str(arg0), Values.str(args.get(1)),
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
                Comparator<Object> c = (a, b) -> Values.compare(sortKey(attribute == null ? a : item(a, attribute)),
                        sortKey(attribute == null ? b : item(b, attribute)));
                l.sort(Values.truthy(kw.getOrDefault("reverse", arg0)) ? c.reversed() : c);
                return l;
            }
            case "map" -> {
                List<Object> out = new ArrayList<>();
                for (Object v : Values.iterate(value)) {
                    if (kw.containsKey("attribute")) {
                        Object a = item(v, kw.get("attribute"));
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
                    Object a = item(v, arg0);
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
                List<Object> pairs = dictMethod(m, "items").call(List.of(), Map.of()) instanceof List<?> l
                        ? new ArrayList<>(l) : new ArrayList<>();
                pairs.sort((a, b) -> Values.compare(sortKey(((List<?>) a).get(0)), sortKey(((List<?>) b).get(0))));
                return pairs;
            }
            case "wordcount" -> {
                return (long) split(Values.str(value), null, -1).size();
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
