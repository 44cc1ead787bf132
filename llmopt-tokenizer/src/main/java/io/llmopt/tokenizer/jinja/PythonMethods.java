package io.llmopt.tokenizer.jinja;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Python's attribute, item and slice access on template values, and the methods of {@code str}, {@code dict} and
 * {@code list} that chat templates call ({@code .startswith}, {@code .split}, {@code .items()}, …).
 */
final class PythonMethods {
    private PythonMethods() {
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

    static Values.Callable dictMethod(Map<?, ?> m, String name) {
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
            case "isspace" -> (args, kw) -> !s.isEmpty() && s.chars().allMatch(PythonMethods::isPythonSpace);
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

    static String replace(String s, String old, String replacement, int count) {
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

    static String title(String s) {
        StringBuilder sb = new StringBuilder();
        boolean previousCased = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
            previousCased = Character.isLetter(c);
        }
        return sb.toString();
    }

    static String capitalize(String s) {
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
}
