package io.llmopt.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The filters HF's chat-template environment has and Jinjava lacks or defines differently, registered over Jinjava's
 * built-ins of the same name. Jinjava has one {@code null} for Python's {@code None} and for an undefined value; where
 * the two differ, these filters take the undefined reading (a missing message field is far more common in chat
 * templates than an explicit None).
 */
final class ChatTemplateFilters {
    /** Name of the filter that {@link ChatTemplateRewrites} turns extended slices into. */
    static final String PY_SLICE = "__py_slice";

    private ChatTemplateFilters() {
    }

    static List<Filter> all() {
        return List.of(new ToJson(), new Items(), new Trim(), new StringFilter(), new Indent(), new PySlice());
    }

    /** jinja2's {@code iterable} and {@code sequence} tests, true for strings and dicts too (Jinjava's are not). */
    static List<ExpTest> tests() {
        return List.of(new PythonIterableTest("iterable"), new PythonIterableTest("sequence"));
    }

    private record PythonIterableTest(String getName) implements ExpTest {
        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof CharSequence || var instanceof Map<?, ?> || var instanceof Iterable<?>
                    || var instanceof Object[];
        }
    }

    /** Python's truth value: None/undefined, False, 0, "" and empty containers are false. */
    static boolean truthy(Object value) {
        return switch (value) {
            case null -> false;
            case Boolean b -> b;
            case Number n -> n.doubleValue() != 0;
            case CharSequence s -> !s.isEmpty();
            case Collection<?> c -> !c.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Object[] a -> a.length > 0;
            default -> value != com.hubspot.jinjava.interpret.NullValue.INSTANCE;
        };
    }

    /**
     * {@code tojson(indent=None, ensure_ascii=False, separators=None, sort_keys=False)}, HF's definition: Python's
     * json.dumps, whose {@code ", "} / {@code ": "} separators differ from Jinjava's Jackson-based {@code tojson}.
     */
    private static final class ToJson implements AdvancedFilter {
        @Override
        public String getName() {
            return "tojson";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.getOrDefault("indent", args.length > 0 ? args[0] : null);
            String itemSeparator = null;
            String keySeparator = null;
            if (kwargs.get("separators") instanceof List<?> separators && separators.size() == 2) {
                itemSeparator = String.valueOf(separators.get(0));
                keySeparator = String.valueOf(separators.get(1));
            }
            boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
            return new PythonJson(indent == null ? null : ((Number) indent).intValue(), itemSeparator, keySeparator,
                    sortKeys).dumps(var);
        }
    }

    /** jinja2 3.1's {@code items}: a mapping's (key, value) pairs, which {@code for k, v in …} unpacks. */
    private static final class Items implements AdvancedFilter {
        @Override
        public String getName() {
            return "items";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            if (var == null) {
                return List.of();
            }
            if (var instanceof Map<?, ?> map) {
                return new ArrayList<Object>(map.entrySet());
            }
            throw new IllegalArgumentException("items filter: can only get item pairs from a mapping");
        }
    }

    /**
     * jinja2's {@code trim(value, chars=None)}, i.e. Python's {@code str.strip}. Jinjava's own turns a missing value into
     * the text "null"; jinja2 renders an undefined value as "" ({@code param.description|trim} without a description).
     */
    private static final class Trim implements AdvancedFilter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object chars = kwargs.getOrDefault("chars", args.length > 0 ? args[0] : null);
            return PythonMethodResolver.strip(PythonRepr.str(var), chars == null ? null : chars.toString(),
                    true, true);
        }
    }

    /** jinja2's {@code string}: Python's {@code str()} (True/False, {@code ['a']}), undefined as "". */
    private static final class StringFilter implements AdvancedFilter {
        @Override
        public String getName() {
            return "string";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            return PythonRepr.str(var);
        }
    }

    /**
     * jinja2's {@code indent(width=4, first=False, blank=False)}: every line after the first is indented, blank lines
     * only with {@code blank=true}; Jinjava's has no {@code first}/{@code blank} keywords and indents blank lines.
     */
    private static final class Indent implements AdvancedFilter {
        @Override
        public String getName() {
            return "indent";
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object width = kwargs.getOrDefault("width", args.length > 0 ? args[0] : 4L);
            boolean first = truthy(kwargs.getOrDefault("first", args.length > 1 ? args[1] : false));
            boolean blank = truthy(kwargs.getOrDefault("blank", args.length > 2 ? args[2] : false));
            String indentation = width instanceof CharSequence s ? s.toString() : " ".repeat(((Number) width).intValue());
            List<String> lines = PythonMethodResolver.splitlines(PythonRepr.str(var) + "\n");
            StringBuilder out = new StringBuilder(lines.isEmpty() ? "" : lines.getFirst());
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i);
                out.append('\n').append(blank || !line.isEmpty() ? indentation : "").append(line);
            }
            return first ? indentation + out : out.toString();
        }

        private static boolean truthy(Object o) {
            return o instanceof Boolean b ? b : o != null;
        }
    }

    /**
     * {@code value|__py_slice(start, stop, step)}: Python's extended slice {@code value[start:stop:step]} on a list or a
     * string. Bounds may be {@code none}; negative bounds count from the end and are clamped as
     * {@code slice.indices(len)} does; a negative step walks backwards ({@code [::-1]} is a reversed copy).
     */
    private static final class PySlice implements AdvancedFilter {
        @Override
        public String getName() {
            return PY_SLICE;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Long start = bound(args, 0);
            Long stop = bound(args, 1);
            Long step = bound(args, 2);
            if (var instanceof CharSequence s) {
                int[] codePoints = s.toString().codePoints().toArray();
                StringBuilder out = new StringBuilder();
                for (int i : sliceIndices(codePoints.length, start, stop, step)) {
                    out.appendCodePoint(codePoints[i]);
                }
                return out.toString();
            }
            List<?> items = switch (var) {
                case List<?> l -> l;
                case Collection<?> c -> new ArrayList<>(c);
                case Object[] a -> Arrays.asList(a);
                case null -> throw new IllegalArgumentException("'NoneType' object is not subscriptable");
                default -> throw new IllegalArgumentException(
                        "'" + var.getClass().getSimpleName() + "' object is not subscriptable");
            };
            List<Object> out = new ArrayList<>();
            for (int i : sliceIndices(items.size(), start, stop, step)) {
                out.add(items.get(i));
            }
            return out;
        }

        private static Long bound(Object[] args, int i) {
            if (i >= args.length || args[i] == null) {
                return null;
            }
            if (args[i] instanceof Number n) {
                return n.longValue();
            }
            throw new IllegalArgumentException("slice indices must be integers or None, got " + args[i]);
        }
    }

    /** The indices {@code range(*slice(start, stop, step).indices(length))} yields. */
    static int[] sliceIndices(int length, Long start, Long stop, Long step) {
        long st = step == null ? 1 : step;
        if (st == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        long lower = st < 0 ? -1 : 0;
        long upper = st < 0 ? length - 1 : length;
        long from = start == null ? (st < 0 ? upper : lower) : clamp(start, length, lower, upper);
        long to = stop == null ? (st < 0 ? lower : upper) : clamp(stop, length, lower, upper);
        int count = (int) Math.max(0, st > 0 ? (to - from + st - 1) / st : (from - to - st - 1) / -st);
        int[] out = new int[count];
        for (int k = 0; k < count; k++) {
            out[k] = (int) (from + k * st);
        }
        return out;
    }

    private static long clamp(long index, int length, long lower, long upper) {
        long i = index < 0 ? index + length : index;
        return Math.max(lower, Math.min(upper, i));
    }
}
