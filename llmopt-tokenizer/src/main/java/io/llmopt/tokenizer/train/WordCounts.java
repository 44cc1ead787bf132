package io.llmopt.tokenizer.train;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The distinct pre-tokenized words of a text with their counts, as the tokenizer will see them: the text is cut at
 * the special tokens (which never take part in merges), each remaining fragment is split by {@link #SPLIT_REGEX}
 * (Qwen2's pre-tokenizer, which llama.cpp knows as {@code tokenizer.ggml.pre = "qwen2"}), and each word becomes its
 * UTF-8 bytes. Words are kept in sorted order so that training does not depend on hash order.
 */
public final class WordCounts {
    /**
     * Qwen2's split regex: contractions, letters with one optional leading non-letter, single digits, punctuation
     * runs with trailing newlines, newline runs, and other whitespace. Single digits keep numbers from eating a
     * small vocabulary.
     */
    public static final String SPLIT_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final Pattern SPLIT = Pattern.compile(SPLIT_REGEX, Pattern.UNICODE_CHARACTER_CLASS);

    private final List<byte[]> words;
    private final long[] counts;
    private final long totalWords;

    private WordCounts(List<byte[]> words, long[] counts, long totalWords) {
        this.words = words;
        this.counts = counts;
        this.totalWords = totalWords;
    }

    /** Reads a UTF-8 text file; a missing, unreadable, non-UTF-8 or empty file is a one-line error naming it. */
    public static WordCounts ofFile(Path file, List<String> specialTokens) {
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new LlmoptException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new LlmoptException(file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read: " + e.getMessage(), e);
        }
        return of(file.toString(), text, specialTokens);
    }

    /** Counts the words of {@code text}; {@code source} names it in errors. */
    public static WordCounts of(String source, String text, List<String> specialTokens) {
        Map<String, long[]> counts = new HashMap<>();
        long total = 0;
        for (String fragment : splitSpecials(text, specialTokens)) {
            Matcher m = SPLIT.matcher(fragment);
            while (m.find()) {
                counts.computeIfAbsent(m.group(), k -> new long[1])[0]++;
                total++;
            }
        }
        if (counts.isEmpty()) {
            throw new LlmoptException(source + ": no text to train a tokenizer on (the file is empty or holds only special tokens)");
        }
        List<String> keys = new ArrayList<>(counts.keySet());
        keys.sort(null);
        List<byte[]> words = new ArrayList<>(keys.size());
        long[] c = new long[keys.size()];
        for (int i = 0; i < keys.size(); i++) {
            words.add(keys.get(i).getBytes(StandardCharsets.UTF_8));
            c[i] = counts.get(keys.get(i))[0];
        }
        return new WordCounts(words, c, total);
    }

    /** The text between occurrences of the special tokens (longest token first at each position). */
    static List<String> splitSpecials(String text, List<String> specialTokens) {
        List<String> out = new ArrayList<>();
        List<String> tokens = new ArrayList<>(specialTokens);
        tokens.removeIf(String::isEmpty);
        tokens.sort((a, b) -> b.length() - a.length());
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            String hit = null;
            for (String t : tokens) {
                if (text.startsWith(t, i)) {
                    hit = t;
                    break;
                }
            }
            if (hit == null) {
                i++;
                continue;
            }
            if (i > start) {
                out.add(text.substring(start, i));
            }
            i += hit.length();
            start = i;
        }
        if (start < text.length()) {
            out.add(text.substring(start));
        }
        return out;
    }

    public int size() {
        return words.size();
    }

    /** The UTF-8 bytes of distinct word {@code i} (sorted order). */
    public byte[] word(int i) {
        return words.get(i).clone();
    }

    public long count(int i) {
        return counts[i];
    }

    /** All words counted, with repetitions. */
    public long totalWords() {
        return totalWords;
    }
}
