package io.llmopt.eval;

import io.llmopt.tensor.LlmoptException;
import java.util.ArrayList;
import java.util.List;

/**
 * One forward pass over tokens[start, start + length) of the text, starting at position 0 of a fresh cache.
 * The logits at window positions firstScored .. length − 2 are scored, each predicting the next token of
 * the window; with {@code bosFirst} the window's first token is replaced by BOS (llama.cpp's chunks).
 */
public record ScoringWindow(int start, int length, int firstScored, boolean bosFirst) {

    public ScoringWindow {
        if (start < 0 || length < 2 || firstScored < 0 || firstScored > length - 2) {
            throw new IllegalArgumentException("bad window start=" + start + " length=" + length + " firstScored=" + firstScored);
        }
    }

    /** Number of tokens this window scores. */
    public int scoredCount() {
        return length - 1 - firstScored;
    }

    public int end() {
        return start + length;
    }

    /**
     * llama-perplexity's plan: n_chunk = nTokens / ctx non-overlapping chunks (capped by maxChunks when > 0),
     * each with its first token replaced by BOS (when the model adds one) and only positions ctx/2 .. ctx−2
     * scored, so every scored token has at least ctx/2 tokens of context.
     *
     * @throws LlmoptException if the text has fewer than 2·ctx tokens (llama.cpp's own requirement)
     */
    public static List<ScoringWindow> chunks(int nTokens, int ctx, int maxChunks, boolean bos) {
        if (ctx < 4) {
            throw new LlmoptException("context length must be at least 4 tokens, got " + ctx);
        }
        if (nTokens < 2 * ctx) {
            throw new LlmoptException("the text has " + nTokens + " tokens; perplexity with a context of " + ctx
                    + " needs at least " + 2 * ctx + " (2·ctx) tokens: use a longer text or a smaller -c");
        }
        int n = nTokens / ctx;
        if (maxChunks > 0) {
            n = Math.min(n, maxChunks);
        }
        List<ScoringWindow> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new ScoringWindow(i * ctx, ctx, ctx / 2, bos));
        }
        return out;
    }

    /**
     * The Hugging Face sliding-window recipe: windows of up to ctx tokens starting every {@code stride} tokens;
     * each window scores only the tokens the previous window did not, so every token but the first is scored
     * exactly once, with ctx − stride tokens of overlap as extra context. The text keeps its own leading BOS
     * and no token is replaced. maxWindows > 0 caps the number of windows.
     */
    public static List<ScoringWindow> strided(int nTokens, int ctx, int stride, int maxWindows) {
        if (stride <= 0 || stride > ctx) {
            throw new LlmoptException("--stride must be in 1.." + ctx + " (the context length), got " + stride);
        }
        if (nTokens < 2) {
            throw new LlmoptException("the text has " + nTokens + " tokens; the sliding-window perplexity needs at least 2");
        }
        List<ScoringWindow> out = new ArrayList<>();
        int prevEnd = 0;
        for (int begin = 0; begin < nTokens; begin += stride) {
            int end = Math.min(begin + ctx, nTokens);
            int firstTarget = Math.max(prevEnd, begin + 1);
            if (end - begin >= 2 && firstTarget < end) {
                out.add(new ScoringWindow(begin, end - begin, firstTarget - 1 - begin, false));
            }
            prevEnd = end;
            if (end == nTokens || (maxWindows > 0 && out.size() == maxWindows)) {
                break;
            }
        }
        return out;
    }
}
