package io.llmopt.eval.mc;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Splits plain text into documents and sentences for the cloze maker. Documents are separated by blank
 * lines or {@code <|endoftext|>}; a sentence ends at . ! or ? (plus closing quotes/brackets) followed by
 * whitespace, except after a few title abbreviations (Mr. Mrs. Ms. Dr. St.) or before a lower-case word
 * ({@code "Thank you!" and flew away.} stays one sentence). Whitespace inside a sentence
 * is collapsed to single spaces, so no choice gives itself away by a newline.
 */
public final class Sentences {
    private static final Pattern DOCUMENT_BREAK = Pattern.compile("<\\|endoftext\\|>|\\n[ \\t\\r]*\\n");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Set<String> ABBREVIATIONS = Set.of("mr.", "mrs.", "ms.", "dr.", "st.");
    private static final String CLOSERS = "\"'”’)]";

    private Sentences() {
    }

    public static List<String> documents(String text) {
        List<String> out = new ArrayList<>();
        for (String d : DOCUMENT_BREAK.split(text)) {
            if (!d.isBlank()) {
                out.add(d.strip());
            }
        }
        return out;
    }

    public static List<String> split(String document) {
        List<String> out = new ArrayList<>();
        String t = SPACES.matcher(document).replaceAll(" ").strip();
        int start = 0;
        int i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            if (c == '.' || c == '!' || c == '?') {
                int end = i + 1;
                while (end < t.length() && (".!?".indexOf(t.charAt(end)) >= 0 || CLOSERS.indexOf(t.charAt(end)) >= 0)) {
                    end++;
                }
                boolean nextStartsLower = end + 1 < t.length() && Character.isLowerCase(t.charAt(end + 1));
                if ((end == t.length() || t.charAt(end) == ' ') && !nextStartsLower && !endsWithAbbreviation(t, start, i + 1)) {
                    out.add(t.substring(start, end).strip());
                    start = end + 1;
                }
                i = end;
            } else {
                i++;
            }
        }
        if (start < t.length() && !t.substring(start).isBlank()) {
            out.add(t.substring(start).strip());
        }
        return out;
    }

    private static boolean endsWithAbbreviation(String t, int start, int end) {
        int wordStart = t.lastIndexOf(' ', end - 1) + 1;
        wordStart = Math.max(wordStart, start);
        return ABBREVIATIONS.contains(t.substring(wordStart, end).toLowerCase(java.util.Locale.ROOT));
    }

    static int words(String sentence) {
        return sentence.isBlank() ? 0 : sentence.strip().split(" ").length;
    }
}
