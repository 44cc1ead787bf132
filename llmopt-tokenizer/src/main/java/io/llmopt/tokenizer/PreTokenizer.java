package io.llmopt.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits normalized text into the words BPE runs on (HF {@code pre_tokenizer}; llama.cpp's per-model regex lists).
 * Steps compose: each step splits every piece the previous one produced. The byte-level step also rewrites each piece
 * into GPT-2's byte alphabet, so pieces leaving the last step are in the vocabulary's alphabet.
 */
@FunctionalInterface
interface PreTokenizer {
    /**
     * @param first whether {@code text} starts the whole input (Metaspace's {@code prepend_scheme: first})
     */
    void split(String text, boolean first, List<String> out);

    /** HF {@code Split} delimiter behaviours this implementation supports. */
    enum Behavior { ISOLATED, REMOVED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT }

    /**
     * Regex split. ISOLATED keeps matches and the text between them as separate pieces (llama.cpp's
     * {@code unicode_regex_split} and HF's {@code Split(…, "Isolated")}); empty matches split nothing.
     */
    static PreTokenizer regex(Pattern pattern, Behavior behavior) {
        return (text, first, out) -> {
            Matcher m = pattern.matcher(text);
            int last = 0;
            int pendingStart = -1; // for MERGED_WITH_NEXT: start of a delimiter waiting for its following text
            while (m.find()) {
                int s = m.start();
                int e = m.end();
                if (s == e) {
                    continue;
                }
                switch (behavior) {
                    case ISOLATED -> {
                        if (s > last) {
                            out.add(text.substring(last, s));
                        }
                        out.add(text.substring(s, e));
                    }
                    case REMOVED -> {
                        if (s > last) {
                            out.add(text.substring(last, s));
                        }
                    }
                    case MERGED_WITH_PREVIOUS -> out.add(text.substring(last, e));
                    case MERGED_WITH_NEXT -> {
                        int from = pendingStart >= 0 ? pendingStart : last;
                        if (s > from) {
                            out.add(text.substring(from, s));
                        }
                        pendingStart = s;
                    }
                }
                last = e;
            }
            int from = behavior == Behavior.MERGED_WITH_NEXT && pendingStart >= 0 ? pendingStart : last;
            if (from < text.length()) {
                out.add(text.substring(from));
            }
        };
    }

    /** HF {@code ByteLevel}: optional prefix space, optional GPT-2 regex split, then the byte alphabet. */
    static PreTokenizer byteLevel(boolean addPrefixSpace, boolean useRegex) {
        PreTokenizer regex = useRegex ? regex(PreTokenizers.GPT2, Behavior.ISOLATED) : null;
        return (text, first, out) -> {
            String t = addPrefixSpace && !text.startsWith(" ") ? " " + text : text;
            if (regex == null) {
                out.add(ByteLevel.encode(t));
                return;
            }
            List<String> words = new ArrayList<>();
            regex.split(t, first, words);
            for (String w : words) {
                out.add(ByteLevel.encode(w));
            }
        };
    }

    /** HF {@code Metaspace}: spaces become {@code replacement}, optionally prepended, optionally split before it. */
    static PreTokenizer metaspace(char replacement, String prependScheme, boolean split) {
        String mark = String.valueOf(replacement);
        return (text, first, out) -> {
            String t = text.replace(' ', replacement);
            boolean prepend = switch (prependScheme) {
                case "always" -> true;
                case "first" -> first;
                default -> false;
            };
            if (prepend && !t.startsWith(mark)) {
                t = mark + t;
            }
            if (!split) {
                out.add(t);
                return;
            }
            int start = 0;
            for (int i = 1; i < t.length(); i++) {
                if (t.charAt(i) == replacement) {
                    out.add(t.substring(start, i));
                    start = i;
                }
            }
            if (start < t.length()) {
                out.add(t.substring(start));
            }
        };
    }

    static PreTokenizer sequence(List<PreTokenizer> steps) {
        return (text, first, out) -> {
            List<String> pieces = List.of(text);
            for (PreTokenizer step : steps) {
                List<String> next = new ArrayList<>();
                boolean isFirst = first;
                for (String p : pieces) {
                    step.split(p, isFirst, next);
                    isFirst = false;
                }
                pieces = next;
            }
            out.addAll(pieces);
        };
    }

    /** No splitting: the whole fragment is one word (SentencePiece-style BPE tokenizer.json). */
    static PreTokenizer none() {
        return (text, first, out) -> out.add(text);
    }
}
