package io.llmopt.tokenizer.jinja;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A parsed Jinja template, rendered with HF transformers' chat-template environment: trim_blocks, lstrip_blocks,
 * loop controls, and the globals {@code raise_exception(msg)}, {@code strftime_now(fmt)}, {@code namespace(…)},
 * {@code range(…)}, {@code dict(…)}. Immutable and thread-safe once parsed.
 */
public final class JinjaTemplate {
    private final List<Node> body;

    private JinjaTemplate(List<Node> body) {
        this.body = body;
    }

    /** Parses {@code source}; syntax errors throw {@link JinjaException} naming the line. */
    public static JinjaTemplate parse(String source) {
        return new JinjaTemplate(new Parser(new Lexer(source, true, true).lex()).parseTemplate());
    }

    /**
     * Renders with {@code variables}: Java Strings, Booleans, Integers/Longs, Doubles, Lists and Maps (nested freely),
     * or null for None. A {@code raise_exception} call or a runtime type error throws {@link JinjaException}.
     */
    public String render(Map<String, ?> variables) {
        Interpreter.Scope globals = new Interpreter.Scope(null);
        globals.set("raise_exception", (Values.Callable) (args, kw) -> {
            throw new JinjaException("chat template raised an exception: " + (args.isEmpty() ? "" : Values.str(args.get(0))));
        });
        globals.set("namespace", (Values.Callable) (args, kw) -> Filters.mapping(args, kw, new Values.Namespace()));
        globals.set("dict", (Values.Callable) (args, kw) -> Filters.mapping(args, kw, Filters.newDict()));
        globals.set("range", (Values.Callable) (args, kw) -> range(args));
        globals.set("strftime_now", (Values.Callable) (args, kw) -> strftime(Values.str(args.get(0)), ZonedDateTime.now()));
        Interpreter.Scope root = new Interpreter.Scope(globals);
        variables.forEach((k, v) -> root.set(k, convert(v)));
        StringBuilder out = new StringBuilder();
        new Interpreter().render(body, root, out);
        return out.toString();
    }

    /** Java values → template values (ints become Long, floats Double, containers copied). */
    private static Object convert(Object v) {
        return switch (v) {
            case null -> null;
            case Integer i -> (long) i;
            case Short s -> (long) s;
            case Float f -> (double) f;
            case List<?> l -> l.stream().map(JinjaTemplate::convert).collect(java.util.stream.Collectors.toCollection(java.util.ArrayList::new));
            case Map<?, ?> m -> {
                Map<Object, Object> out = new java.util.LinkedHashMap<>();
                m.forEach((k, x) -> out.put(k, convert(x)));
                yield out;
            }
            default -> v;
        };
    }

    private static Object range(List<Object> args) {
        long start = args.size() > 1 ? Values.toLong(args.get(0)) : 0;
        long stop = Values.toLong(args.get(args.size() > 1 ? 1 : 0));
        long step = args.size() > 2 ? Values.toLong(args.get(2)) : 1;
        if (step == 0) {
            throw new JinjaException("range() step must not be zero");
        }
        List<Object> out = new java.util.ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            out.add(i);
        }
        return out;
    }

    /** Python's strftime for the directives chat templates use (%d %b %Y and friends). */
    static String strftime(String format, ZonedDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            switch (d) {
                case 'Y' -> sb.append(t.getYear());
                case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
                case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
                case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
                case 'e' -> sb.append(String.format("%2d", t.getDayOfMonth()));
                case 'H' -> sb.append(String.format("%02d", t.getHour()));
                case 'I' -> sb.append(String.format("%02d", (t.getHour() + 11) % 12 + 1));
                case 'M' -> sb.append(String.format("%02d", t.getMinute()));
                case 'S' -> sb.append(String.format("%02d", t.getSecond()));
                case 'p' -> sb.append(t.getHour() < 12 ? "AM" : "PM");
                case 'b' -> sb.append(t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'B' -> sb.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'a' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'A' -> sb.append(t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case 'j' -> sb.append(String.format("%03d", t.getDayOfYear()));
                case 'Z' -> sb.append(t.getZone().getDisplayName(TextStyle.SHORT, Locale.ENGLISH));
                case 'z' -> sb.append(t.format(DateTimeFormatter.ofPattern("xx")));
                case '%' -> sb.append('%');
                default -> sb.append('%').append(d);
            }
        }
        return sb.toString();
    }
}
