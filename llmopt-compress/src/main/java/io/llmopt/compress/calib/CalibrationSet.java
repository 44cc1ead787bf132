package io.llmopt.compress.calib;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Calibration windows: {@code samples} windows of {@code seqLen} tokens taken at uniformly random places of the
 * calibration text (fixed seed), as the SparseGPT/Wanda loaders draw them. Only the pieces used are tokenized
 * (a multi-megabyte text is not encoded whole): a window starts at a random word boundary, a span of text
 * long enough for seqLen tokens is encoded with BOS, and its first seqLen tokens are kept — so each window
 * starts like a fresh sequence.
 *
 * @param windows [samples][seqLen] token ids
 */
public record CalibrationSet(int[][] windows) {
    private static final int CHARS_PER_TOKEN_GUESS = 8;

    public int seqLen() {
        return windows[0].length;
    }

    public int samples() {
        return windows.length;
    }

    public static CalibrationSet sample(Tokenizer tokenizer, String text, String source, int samples, int seqLen, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] windows = new int[samples][];
        for (int s = 0; s < samples; s++) {
            int span = Math.min(text.length(), seqLen * CHARS_PER_TOKEN_GUESS);
            int start = span >= text.length() ? 0 : random.nextInt(text.length() - span + 1);
            while (start > 0 && start < text.length() && !Character.isWhitespace(text.charAt(start - 1))) {
                start++;
            }
            while (true) {
                int end = Math.min(text.length(), start + span);
                int[] tokens = tokenizer.encode(text.substring(start, end), true, false);
                if (tokens.length >= seqLen) {
                    windows[s] = Arrays.copyOf(tokens, seqLen);
                    break;
                }
                if (start == 0 && end == text.length()) {
                    throw new LlmoptException(source + ": the calibration text has only " + tokens.length
                            + " tokens, shorter than one sample of " + seqLen + " (use a longer text or a smaller --calib-seqlen)");
                }
                span *= 2;
                if (start + span > text.length()) {
                    start = Math.max(0, text.length() - span);
                }
            }
        }
        return new CalibrationSet(windows);
    }
}
