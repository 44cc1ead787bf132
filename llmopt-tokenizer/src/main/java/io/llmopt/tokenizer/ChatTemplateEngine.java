package io.llmopt.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jinjava.javax.el.CompositeELResolver;

/**
 * Jinjava set up as HF transformers sets up jinja2 for chat templates ({@code ImmutableSandboxedEnvironment} with
 * trim_blocks, lstrip_blocks, loop controls, {@code tojson}, {@code raise_exception}, {@code strftime_now}). Every
 * adaptation here goes through a Jinjava extension point:
 *
 * <ul>
 *   <li>config: trim_blocks, lstrip_blocks; {@link LegacyOverrides} for jinja2's {@code {{- … -}}} whitespace control
 *       (strict parsing, trimming around expressions and comments), evaluated dict-literal keys, iteration over a
 *       dict's keys, None kept in loops, Python-style printing of lists and dicts; recursive macros (Hermes' tool
 *       templates call {@code json_to_python_type} recursively). Jinjava's "natural operator precedence" stays off:
 *       it binds {@code not} tighter than {@code is}, so {@code not tools is defined} would mean
 *       {@code (not tools) is defined}.</li>
 *   <li>{@link PythonOutputMode}: {@code {{ x }}} prints Python's {@code str(x)} and is never re-rendered.</li>
 *   <li>{@link PythonMethodResolver} (EL resolver): {@code str} and {@code dict} methods.</li>
 *   <li>{@link ChatTemplateFilters}: filters {@code tojson}, {@code items}, {@code trim}, {@code string},
 *       {@code indent}, {@code __py_slice}; tests {@code iterable}, {@code sequence}.</li>
 *   <li>{@link ChatTemplateTags}: {@code {% filter … %}}, and {@code for} over Python's items with
 *       {@code loop.previtem}/{@code loop.nextitem}.</li>
 *   <li>functions {@code raise_exception(message)} and {@code strftime_now(format)}; jinjava already has
 *       {@code namespace(…)} and {@code range(…)}.</li>
 * </ul>
 * Template text Jinjava cannot parse as jinja2 does is adapted beforehand by {@link ChatTemplateRewrites}.
 */
final class ChatTemplateEngine {
    private static final ChatTemplateEngine SYSTEM = new ChatTemplateEngine(Clock.systemDefaultZone());

    private final Jinjava jinjava;

    private ChatTemplateEngine(Clock clock) {
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withNestedInterpretationEnabled(false)
                .withExecutionMode(PythonOutputMode.INSTANCE)
                .withTimeZone(clock.getZone())
                .withDateTimeProvider(clock::millis)
                .withLocale(Locale.ENGLISH)
                .withEnableRecursiveMacroCalls(true)
                .withMaxMacroRecursionDepth(100)
                .withLegacyOverrides(LegacyOverrides.newBuilder()
                        .withParseWhitespaceControlStrictly(true)
                        .withUseTrimmingForNotesAndExpressions(true)
                        .withEvaluateMapKeys(true)
                        .withIterateOverMapKeys(true)
                        .withKeepNullableLoopValues(true)
                        .withUsePyishObjectMapper(true)
                        .build())
                .withElResolver(new CompositeELResolver() {
                    {
                        add(new PythonMethodResolver());
                        add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
                    }
                })
                .build();
        jinjava = new Jinjava(config);
        ChatTemplateFilters.all().forEach(jinjava.getGlobalContext()::registerFilter);
        ChatTemplateTags.all().forEach(jinjava.getGlobalContext()::registerTag);
        ChatTemplateFilters.tests().forEach(jinjava.getGlobalContext()::registerExpTest);
        jinjava.getGlobalContext().registerFunction(function("raise_exception", "raiseException", Object.class));
        jinjava.getGlobalContext().registerFunction(function("strftime_now", "strftimeNow", String.class));
    }

    /** The engine of {@link ChatTemplate}: {@code strftime_now} reads the system clock in the local time zone. */
    static ChatTemplateEngine system() {
        return SYSTEM;
    }

    /** An engine whose {@code strftime_now} reads {@code clock} (tests pin the date). */
    static ChatTemplateEngine withClock(Clock clock) {
        return new ChatTemplateEngine(clock);
    }

    /**
     * Parses a template already passed through {@link ChatTemplateRewrites} without rendering it, and checks what
     * jinja2 checks when it compiles a template: the syntax, and that every filter ({@code x|name},
     * {@code {% filter name %}}) and test ({@code x is name}) exists. Jinjava would otherwise render an unknown filter
     * or test silently as nothing.
     */
    synchronized void check(String template) {
        JinjavaInterpreter interpreter = jinjava.newInterpreter();
        JinjavaInterpreter.pushCurrent(interpreter);
        try {
            interpreter.parse(template);
        } finally {
            JinjavaInterpreter.popCurrent();
        }
        List<String> fatal = new ArrayList<>();
        for (TemplateError e : interpreter.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                fatal.add("line " + e.getLineno() + ": " + e.getMessage());
            }
        }
        for (String body : ChatTemplateRewrites.tagBodies(template)) {
            List<ChatTemplateExpressions.Token> tokens = ChatTemplateExpressions.tokenize(body.replaceAll("^[-\\s]+|[-\\s]+$", ""));
            for (int k = 0; tokens != null && k + 1 < tokens.size(); k++) {
                ChatTemplateExpressions.Token t = tokens.get(k);
                if (t.string()) {
                    continue;
                }
                boolean filterTag = k == 0 && t.text().equals("filter");
                if (filterTag || t.text().equals("|")) {
                    String name = tokens.get(k + 1).text();
                    if (jinjava.getGlobalContext().getFilter(name) == null) {
                        fatal.add("no filter named '" + name + "'");
                    }
                } else if (t.text().equals("is")) {
                    int n = tokens.get(k + 1).text().equals("not") && k + 2 < tokens.size() ? k + 2 : k + 1;
                    String name = tokens.get(n).text();
                    if (!tokens.get(n).string() && jinjava.getGlobalContext().getExpTest(name) == null) {
                        fatal.add("no test named '" + name + "'");
                    }
                }
            }
        }
        if (!fatal.isEmpty()) {
            throw new ChatTemplateException("chat template is invalid: " + String.join("; ", fatal));
        }
    }

    /**
     * Renders a template already passed through {@link ChatTemplateRewrites}. Jinjava collects errors instead of
     * throwing; any fatal one (syntax error, unknown tag, failed call) and any {@code raise_exception} throws here.
     * Renders are serialized: Jinjava 2.7's shared global context is not safe for concurrent renders (HubSpot/jinjava
     * #1212, fixed in 2.8), and a chat template renders in about a millisecond.
     */
    synchronized String render(String template, Map<String, ?> variables) {
        RenderResult result = jinjava.renderForResult(template, variables);
        List<String> fatal = new ArrayList<>();
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() != TemplateError.ErrorType.FATAL) {
                continue;
            }
            for (Throwable cause = e.getException(); cause != null; cause = cause.getCause()) {
                if (cause instanceof RaisedException) {
                    throw new ChatTemplateException("chat template raised an exception: " + cause.getMessage());
                }
            }
            fatal.add("line " + e.getLineno() + ": " + e.getMessage());
        }
        if (!fatal.isEmpty()) {
            throw new ChatTemplateException("chat template failed: " + String.join("; ", fatal));
        }
        return result.getOutput();
    }

    private static ELFunctionDefinition function(String name, String method, Class<?>... parameters) {
        try {
            Method m = ChatTemplateEngine.class.getDeclaredMethod(method, parameters);
            m.setAccessible(true);
            return new ELFunctionDefinition("", name, m);
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code raise_exception(message)}: HF's way for a template to reject a conversation. */
    static Object raiseException(Object message) {
        throw new RaisedException(String.valueOf(message));
    }

    /** {@code strftime_now(format)}: the current time, Python strftime directives (Jinjava's StrftimeFormatter). */
    static String strftimeNow(String format) {
        JinjavaConfig config = JinjavaInterpreter.getCurrent().getConfig();
        ZonedDateTime now = Instant.ofEpochMilli(config.getDateTimeProvider().getCurrentTimeMillis())
                .atZone(config.getTimeZone());
        return StrftimeFormatter.format(now, format, Locale.ENGLISH);
    }

    /** Carries a template's raise_exception message through Jinjava's error list. */
    private static final class RaisedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RaisedException(String message) {
            super(message, null, false, false);
        }
    }
}
