package io.llmopt.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.util.ForLoop;
import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * The Python {@code str} and {@code dict} methods chat templates call ({@code content.strip()},
 * {@code name.startswith('x')}, {@code message.get('key', default)}, {@code tool.items()}, …), plugged into Jinjava
 * through its configurable {@link ELResolver} chain ({@code JinjavaConfig.withElResolver}). Jinjava on its own
 * resolves {@code x.m(…)} to a Java method of the value's class, so {@code "a b".split()} would call
 * {@link String#split(String)} with a null regex and {@code startswith} would not exist.
 *
 * <p>Besides invocations it answers only {@code loop.previtem} and {@code loop.nextitem}; other property reads
 * ({@code message.role}) fall through to Jinjava's resolvers.
 */
final class PythonMethodResolver extends ELResolver {

    @Override
    public Object invoke(ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
        if (base == null || method == null) {
            return null;
        }
        Object[] args = params == null ? new Object[0] : params;
        String name = method.toString();
        Object result;
        if (base instanceof String s) {
            result = stringMethod(s, name, args);
        } else if (base instanceof Map<?, ?> m) {
            result = mapMethod(m, name, args);
        } else {
            return null;
        }
        if (result == NOT_HANDLED) {
            return null;
        }
        context.setPropertyResolved(true);
        return result;
    }

    private static final Object NOT_HANDLED = new Object();

    private static Object stringMethod(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> strip(s, chars(args), true, true);
            case "lstrip" -> strip(s, chars(args), true, false);
            case "rstrip" -> strip(s, chars(args), false, true);
            case "startswith" -> anyAffix(args[0], s::startsWith);
            case "endswith" -> anyAffix(args[0], s::endsWith);
            case "split" -> split(s, args.length > 0 ? args[0] : null, args.length > 1 ? toInt(args[1]) : -1);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "replace" -> s.replace(String.valueOf(args[0]), String.valueOf(args[1]));
            case "find" -> (long) s.indexOf(String.valueOf(args[0]));
            case "splitlines" -> new ArrayList<Object>(splitlines(s));
            default -> NOT_HANDLED;
        };
    }

    private static Object mapMethod(Map<?, ?> m, String name, Object[] args) {
        return switch (name) {
            case "get" -> args.length == 0 ? NOT_HANDLED
                    : m.containsKey(key(args[0])) ? m.get(key(args[0])) : args.length > 1 ? args[1] : null;
            case "items" -> new ArrayList<Object>(m.entrySet());
            case "keys" -> new ArrayList<Object>(m.keySet());
            case "values" -> new ArrayList<Object>(m.values());
            default -> NOT_HANDLED;
        };
    }

    /** Template maps are keyed by strings; integer literals arrive as Long. */
    private static Object key(Object k) {
        return k instanceof CharSequence c ? c.toString() : k;
    }

    private static String chars(Object[] args) {
        return args.length == 0 || args[0] == null ? null : args[0].toString();
    }

    private static int toInt(Object o) {
        return o instanceof Number n ? n.intValue() : Integer.parseInt(o.toString());
    }

    private static boolean anyAffix(Object affix, java.util.function.Predicate<String> test) {
        if (affix instanceof Collection<?> options) {
            return options.stream().anyMatch(o -> test.test(String.valueOf(o)));
        }
        if (affix instanceof Object[] options) {
            return List.of(options).stream().anyMatch(o -> test.test(String.valueOf(o)));
        }
        return test.test(String.valueOf(affix));
    }

    /** Python's str.isspace() per character: Unicode White_Space plus the file/group/record separators. */
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

    /** Python str.split: without a separator, runs of whitespace split and empty parts are dropped. */
    static List<Object> split(String s, Object sep, int maxSplit) {
        List<Object> out = new ArrayList<>();
        if (sep == null) {
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
        String d = sep.toString();
        if (d.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
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

    /** Python's str.splitlines(): \r\n and every Unicode line boundary Python knows end a line. */
    static List<String> splitlines(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                out.add(s.substring(start, i));
                i += 2;
                start = i;
            } else if ("\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029".indexOf(c) >= 0) {
                out.add(s.substring(start, i));
                start = ++i;
            } else {
                i++;
            }
        }
        if (start < s.length()) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** {@code loop.previtem} / {@code loop.nextitem} from the items {@link ChatTemplateTags.PythonFor} recorded. */
    @Override
    public Object getValue(ELContext context, Object base, Object property) {
        if (!(base instanceof ForLoop loop) || !("previtem".equals(property) || "nextitem".equals(property))) {
            return null;
        }
        context.setPropertyResolved(true);
        if (!(JinjavaInterpreter.getCurrent().getContext().get(ChatTemplateTags.LOOP_ITEMS) instanceof List<?> items)) {
            return null;
        }
        int index = loop.getIndex0() + ("previtem".equals(property) ? -1 : 1);
        return index >= 0 && index < items.size() ? items.get(index) : null;
    }

    @Override
    public Class<?> getType(ELContext context, Object base, Object property) {
        return null;
    }

    @Override
    public void setValue(ELContext context, Object base, Object property, Object value) {
        // read-only: assignments are left to Jinjava's resolvers
    }

    @Override
    public boolean isReadOnly(ELContext context, Object base, Object property) {
        return true;
    }

    @Override
    public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
        return null;
    }

    @Override
    public Class<?> getCommonPropertyType(ELContext context, Object base) {
        return null;
    }
}
