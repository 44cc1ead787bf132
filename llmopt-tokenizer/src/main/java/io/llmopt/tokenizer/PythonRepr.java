package io.llmopt.tokenizer;

import com.hubspot.jinjava.interpret.NullValue;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Python's {@code str()} and {@code repr()} of template values, which is what jinja2 prints for {@code {{ x }}}:
 * {@code True}/{@code False}, {@code ['a', 1]}, {@code {'k': None}}, {@code 1.0}. The one deliberate difference:
 * a top-level null prints as "" because Jinjava cannot tell None from undefined, and undefined is the common case.
 */
final class PythonRepr {
    private PythonRepr() {
    }

    /** {@code str(value)}, with null (undefined or None) as "". */
    static String str(Object value) {
        return switch (value) {
            case null -> "";
            case NullValue n -> "";
            case CharSequence s -> s.toString();
            default -> repr(value);
        };
    }

    static String repr(Object value) {
        return switch (value) {
            case null -> "None";
            case NullValue n -> "None";
            case Boolean b -> b ? "True" : "False";
            case Double d -> floatRepr(d);
            case Float f -> floatRepr(f);
            case BigDecimal d -> floatRepr(d.doubleValue());
            case CharSequence s -> stringRepr(s.toString());
            case Map.Entry<?, ?> e -> "(" + repr(e.getKey()) + ", " + repr(e.getValue()) + ")";
            case Map<?, ?> m -> {
                StringBuilder sb = new StringBuilder("{");
                for (Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator(); it.hasNext(); ) {
                    Map.Entry<?, ?> e = it.next();
                    sb.append(repr(e.getKey())).append(": ").append(repr(e.getValue())).append(it.hasNext() ? ", " : "");
                }
                yield sb.append('}').toString();
            }
            case Collection<?> c -> sequence(c.toArray());
            case Object[] a -> sequence(a);
            default -> value.toString();
        };
    }

    private static String sequence(Object[] items) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(repr(items[i]));
        }
        return sb.append(']').toString();
    }

    /** Python's str repr: single quotes unless the text has ' and no ", backslash escapes for the rest. */
    static String stringRepr(String s) {
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
                    } else if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append(quote).toString();
    }

    /** Python's float repr: shortest round-trip digits, ".0" for integral values, exponent form from 1e16 on. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        return PythonJson.floatRepr(d);
    }
}
