package io.llmopt.model.sampling;

import java.util.Arrays;

/**
 * The penalty window of one sequence and the three penalties computed from it (llama.cpp's {@code penalties}
 * sampler): for every distinct token t of the window, with c = its number of occurrences there,
 *
 * <pre>
 *   logit[t] = logit[t] &lt;= 0 ? logit[t] · repeat : logit[t] / repeat      (repeat penalty, once per distinct token)
 *   logit[t] -= c · frequency + (c &gt; 0 ? presence : 0)                    (OpenAI frequency / presence)
 * </pre>
 *
 * in float arithmetic, exactly as llama.cpp writes it. The window is the last {@code windowSize} accepted tokens,
 * or all of them when {@code windowSize} is −1.
 *
 * <p>Cost: {@link #accept} is O(1); {@link #apply} is O(window) (windowed) or O(distinct tokens seen)
 * (whole history), never O(vocabulary). The only allocations are geometric growth of the window buffer (up to
 * {@code windowSize}) or of the distinct-token list (up to the vocabulary size) while the history is still short:
 * O(log) times per sequence, never in steady state.
 */
final class PenaltyHistory {
    private static final int INITIAL_CAPACITY = 256;

    private final int windowSize; // > 0, or -1 for the whole history
    private final float repeat;
    private final float frequency;
    private final float presence;

    /** counts[t] = occurrences of token t in the window; {@link #apply} flips signs temporarily to mark "done". */
    private final int[] counts;

    /** Windowed mode: the last min(accepted, windowSize) tokens, oldest at {@code ringStart}. */
    private int[] ring;
    private int ringStart;
    private int ringSize;

    /** Whole-history mode: every token with counts[t] &gt; 0, in first-seen order. */
    private int[] distinct;
    private int distinctCount;

    PenaltyHistory(int vocabSize, int windowSize, float repeat, float frequency, float presence) {
        if (windowSize == 0 || windowSize < -1) {
            throw new IllegalArgumentException("windowSize must be > 0 or -1, got " + windowSize);
        }
        this.windowSize = windowSize;
        this.repeat = repeat;
        this.frequency = frequency;
        this.presence = presence;
        this.counts = new int[vocabSize];
        if (windowSize > 0) {
            ring = new int[Math.min(windowSize, INITIAL_CAPACITY)];
        } else {
            distinct = new int[Math.min(vocabSize, INITIAL_CAPACITY)];
        }
    }

    /** Appends a token (already range-checked by the caller) to the history, evicting the oldest if the window is full. */
    void accept(int token) {
        if (windowSize > 0) {
            if (ringSize == windowSize) {
                counts[ring[ringStart]]--;
                ring[ringStart] = token;
                ringStart = ringStart + 1 == ring.length ? 0 : ringStart + 1;
            } else {
                if (ringSize == ring.length) {
                    growRing();
                }
                int slot = ringStart + ringSize;
                ring[slot >= ring.length ? slot - ring.length : slot] = token;
                ringSize++;
            }
            counts[token]++;
        } else {
            if (counts[token]++ == 0) {
                if (distinctCount == distinct.length) {
                    distinct = Arrays.copyOf(distinct, Math.min(counts.length, 2 * distinct.length));
                }
                distinct[distinctCount++] = token;
            }
        }
    }

    /** Penalises logits[0..vocabSize) in place; tokens of the history at or beyond vocabSize are ignored. */
    void apply(float[] logits, int vocabSize) {
        if (windowSize > 0) {
            // A token may occur several times in the ring: negating its count marks it as done for this call.
            for (int i = 0, slot = ringStart; i < ringSize; i++, slot = slot + 1 == ring.length ? 0 : slot + 1) {
                int token = ring[slot];
                int count = counts[token];
                if (count > 0) {
                    if (token < vocabSize) {
                        logits[token] = penalised(logits[token], count);
                    }
                    counts[token] = -count;
                }
            }
            for (int i = 0, slot = ringStart; i < ringSize; i++, slot = slot + 1 == ring.length ? 0 : slot + 1) {
                int token = ring[slot];
                if (counts[token] < 0) {
                    counts[token] = -counts[token];
                }
            }
        } else {
            for (int i = 0; i < distinctCount; i++) {
                int token = distinct[i];
                if (token < vocabSize) {
                    logits[token] = penalised(logits[token], counts[token]);
                }
            }
        }
    }

    private float penalised(float logit, int count) {
        float x = logit <= 0 ? logit * repeat : logit / repeat;
        return x - ((float) count * frequency + presence);
    }

    /** Occurrences of a token in the current window (for tests and diagnostics). */
    int count(int token) {
        return counts[token];
    }

    /** Forgets the history; keeps the buffers. */
    void clear() {
        if (windowSize > 0) {
            for (int i = 0, slot = ringStart; i < ringSize; i++, slot = slot + 1 == ring.length ? 0 : slot + 1) {
                counts[ring[slot]] = 0;
            }
            ringStart = 0;
            ringSize = 0;
        } else {
            for (int i = 0; i < distinctCount; i++) {
                counts[distinct[i]] = 0;
            }
            distinctCount = 0;
        }
    }

    private void growRing() {
        int[] bigger = new int[(int) Math.min(windowSize, 2L * ring.length)];
        for (int i = 0, slot = ringStart; i < ringSize; i++, slot = slot + 1 == ring.length ? 0 : slot + 1) {
            bigger[i] = ring[slot];
        }
        ring = bigger;
        ringStart = 0;
    }
}
