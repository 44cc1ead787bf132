package io.llmopt.tokenizer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Python's {@code json.dumps(value, ensure_ascii=False, indent=…, separators=…, sort_keys=…)}, which is what HF
 * transformers registers as the {@code tojson} filter of chat templates. Differs from Jackson (and Jinjava's own
 * {@code tojson}) in the separators: {@code ", "} and {@code ": "} without indent, {@code ","} and {@code ": "} with it.
 */
final class PythonJson {
    private final Integer indent;
    private final String itemSeparator;
    private final String keySeparator;
    private final boolean sortKeys;

    /** {@code separators} null means Python's default for the given indent. */
    PythonJson(Integer indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        this.indent = indent;
        this.itemSeparator = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
        this.keySeparator = keySeparator != null ? keySeparator : ": ";
        this.sortKeys = sortKeys;
    }

    String dumps(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, 0, sb);
        return sb.toString();
    }

    private void write(Object v, int depth, StringBuilder sb) {
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Byte _, Short _, Integer _, Long _, BigInteger _ -> sb.append(v);
            case Float f -> sb.append(floatRepr(f));
            case Double d -> sb.append(floatRepr(d));
            case BigDecimal d -> sb.append(floatRepr(d.doubleValue()));
            case CharSequence s -> string(s.toString(), sb);
            case Map<?, ?> m -> object(m, depth, sb);
            case Collection<?> c -> array(c.toArray(), depth, sb);
            case Object[] a -> array(a, depth, sb);
            case Map.Entry<?, ?> e -> array(new Object[] {e.getKey(), e.getValue()}, depth, sb);
            default -> throw new IllegalArgumentException("Object of type " + v.getClass().getSimpleName()
                    + " is not JSON serializable");
        }
    }

    private void array(Object[] items, int depth, StringBuilder sb) {
        if (items.length == 0) {
            sb.append("[]");
            return;
        }
        sb.append('[');
        for (int i = 0; i < items.length; i++) {
            sb.append(i == 0 ? "" : itemSeparator);
            newline(depth + 1, sb);
            write(items[i], depth + 1, sb);
        }
        newline(depth, sb);
        sb.append(']');
    }

    private void object(Map<?, ?> map, int depth, StringBuilder sb) {
        if (map.isEmpty()) {
            sb.append("{}");
            return;
        }
        Map<?, ?> entries = map;
        if (sortKeys) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, x) -> sorted.put(String.valueOf(k), x));
            entries = sorted;
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            sb.append(first ? "" : itemSeparator);
            first = false;
            newline(depth + 1, sb);
            Object key = e.getKey();
            string(key instanceof Boolean b ? (b ? "true" : "false") : String.valueOf(key), sb);
            sb.append(keySeparator);
            write(e.getValue(), depth + 1, sb);
        }
        newline(depth, sb);
        sb.append('}');
    }

    private void newline(int depth, StringBuilder sb) {
        if (indent != null) {
            sb.append('\n').append(" ".repeat(indent * depth));
        }
    }

    /** JSON string with ensure_ascii=False: only quotes, backslashes and control characters are escaped. */
    private static void string(String s, StringBuilder sb) {
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

    /** Python's float repr: shortest round-trip digits, ".0" for integral values, exponent form from 1e16 on. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == Math.rint(d) && Math.abs(d) < 1e16) {
            return (d == 0 && 1 / d < 0 ? "-" : "") + (long) d + ".0";
        }
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        int exp = Integer.parseInt(s.substring(e + 1));
        if (exp >= -4 && exp < 16) {
            return new BigDecimal(s).toPlainString();
        }
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        return mantissa + "e" + (exp < 0 ? "-" : "+") + (Math.abs(exp) < 10 ? "0" : "") + Math.abs(exp);
    }
}
