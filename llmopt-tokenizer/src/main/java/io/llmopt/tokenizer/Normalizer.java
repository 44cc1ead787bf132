package io.llmopt.tokenizer;

import java.text.Normalizer.Form;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A text → text step applied to each fragment between added tokens (HF tokenizer.json {@code normalizer}). */
@FunctionalInterface
interface Normalizer {
    String apply(String text);

    static Normalizer unicode(Form form) {
        return text -> java.text.Normalizer.normalize(text, form);
    }

    static Normalizer lowercase() {
        return text -> text.toLowerCase(Locale.ROOT);
    }

    /** HF {@code Prepend}: adds {@code prefix} to non-empty text. */
    static Normalizer prepend(String prefix) {
        return text -> text.isEmpty() ? text : prefix + text;
    }

    /** HF {@code Replace} with a literal pattern. */
    static Normalizer replaceLiteral(String pattern, String content) {
        return text -> text.replace(pattern, content);
    }

    /** HF {@code Replace} with a regex pattern (content is literal, not a substitution template). */
    static Normalizer replaceRegex(Pattern pattern, String content) {
        String literal = Matcher.quoteReplacement(content);
        return text -> pattern.matcher(text).replaceAll(literal);
    }

    /** HF {@code Strip}: removes whitespace on the chosen sides. */
    static Normalizer strip(boolean left, boolean right) {
        return text -> left && right ? text.strip() : left ? text.stripLeading() : right ? text.stripTrailing() : text;
    }

    static Normalizer sequence(List<Normalizer> steps) {
        return text -> {
            for (Normalizer n : steps) {
                text = n.apply(text);
            }
            return text;
        };
    }
}
