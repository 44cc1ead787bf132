package io.llmopt.model.sampling;

import io.llmopt.tensor.LlmoptException;
import java.util.List;

/**
 * Incremental stop-string matcher for streamed text (OpenAI / llama.cpp {@code stop}). Feed each decoded chunk;
 * each {@link Result} carries the text that is safe to show now. Text that could still become the start of a stop
 * string is held back until a later chunk rules that out, completes the stop string, or {@link #flush()} ends the
 * stream. The stop string itself is never emitted. Concatenating every {@link Result#text()} (and the flush)
 * gives the generated text up to, excluding, the first stop string.
 *
 * <p>Which stop wins is independent of how the text was chunked: the stop string whose first occurrence <em>ends</em>
 * earliest in the stream; on a tie (one is a suffix of the other), the longer one. That is what a character-by-
 * character matcher would report, so feeding "ab" + "c" and "abc" give the same answer.
 *
 * <p>Matching is exact over UTF-16 code units (no normalisation). Stop strings must be well-formed UTF-16, so a
 * match never starts or ends inside a surrogate pair; a chunk that ends with a high surrogate has that char held back
 * so that emitted text never splits an emoji. Not thread-safe: one instance per sequence.
 */
public final class StopSequences {

    /**
     * What one {@link #feed} produced.
     *
     * @param text the text to emit now (possibly empty); when stopped, the remaining text before the stop string
     * @param stop the stop string that matched, or null while generation goes on
     */
    public record Result(String text, String stop) {
        public boolean stopped() {
            return stop != null;
        }
    }

    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean finished;

    /**
     * @param stops the stop strings (may be empty: everything passes through at once)
     * @throws LlmoptException if a stop string is null, empty or contains a lone surrogate
     */
    public StopSequences(List<String> stops) {
        for (int i = 0; i < stops.size(); i++) {
            String s = stops.get(i);
            if (s == null || s.isEmpty()) {
                throw new LlmoptException("stop strings must not be empty, got " + (s == null ? "null" : "\"\"")
                        + " at index " + i);
            }
            if (!wellFormed(s)) {
                throw new LlmoptException("stop string at index " + i + " is not valid Unicode (lone surrogate)");
            }
        }
        this.stops = List.copyOf(stops);
    }

    public List<String> stops() {
        return stops;
    }

    /** True once a stop string matched or {@link #flush()} was called. */
    public boolean finished() {
        return finished;
    }

    /**
     * Adds a chunk of generated text.
     *
     * @throws IllegalStateException after a stop string has matched or after {@link #flush()}
     */
    public Result feed(CharSequence chunk) {
        if (finished) {
            throw new IllegalStateException("feed() after the stream finished (a stop string matched, or flush())");
        }
        pending.append(chunk);
        String stop = null;
        int stopStart = -1;
        int stopEnd = Integer.MAX_VALUE;
        for (String s : stops) {
            int start = pending.indexOf(s);
            if (start >= 0) {
                int end = start + s.length();
                if (end < stopEnd || (end == stopEnd && start < stopStart)) {
                    stop = s;
                    stopStart = start;
                    stopEnd = end;
                }
            }
        }
        if (stop != null) {
            String before = pending.substring(0, stopStart);
            pending.setLength(0);
            finished = true;
            return new Result(before, stop);
        }
        int emit = pending.length() - heldBackLength();
        String text = pending.substring(0, emit);
        pending.delete(0, emit);
        return new Result(text, null);
    }

    /**
     * Ends the stream without (further) stop: returns the held-back text, which can no longer start a stop string.
     * Returns "" if a stop string already matched. Later calls return "".
     */
    public String flush() {
        String rest = pending.toString();
        pending.setLength(0);
        finished = true;
        return rest;
    }

    /**
     * Length of the longest suffix of {@code pending} that is a proper prefix of some stop string (a stop string may
     * still complete there), or 1 when there is none but the text ends with a high surrogate.
     */
    private int heldBackLength() {
        int n = pending.length();
        int longest = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, n); k > longest; k--) {
                if (endsWithPrefix(s, k)) {
                    longest = k;
                    break;
                }
            }
        }
        if (longest == 0 && n > 0 && Character.isHighSurrogate(pending.charAt(n - 1))) {
            return 1;
        }
        return longest;
    }

    /** True when the last k chars of {@code pending} equal the first k chars of {@code s}. */
    private boolean endsWithPrefix(String s, int k) {
        int offset = pending.length() - k;
        for (int i = 0; i < k; i++) {
            if (pending.charAt(offset + i) != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
