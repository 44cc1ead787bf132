package io.llmopt.compress.calib;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.Tokenizer;
import java.util.SplittableRandom;

/**
 * Calibration windows: {@code samples} windows of {@code seqLen} consecutive tokens of the calibration text,
 * at uniformly random starts (fixed seed), as the SparseGPT/Wanda loaders draw them. The text is tokenized
 * once with BOS; each window's first token becomes BOS when the tokenizer has one, so every window starts
 * like a fresh sequence.
 *
 * @param windows [samples][seqLen] token ids
 */
public record CalibrationSet(int[][] windows) {

    public int seqLen() {
        return windows[0].length;
    }

    public int samples() {
        return windows.length;
    }

    public static CalibrationSet sample(Tokenizer tokenizer, String text, String source, int samples, int seqLen, long seed) {
        int[] tokens = tokenizer.encode(text, true, false);
        if (tokens.length < seqLen) {
            throw new LlmoptException(source + ": the calibration text has only " + tokens.length
                    + " tokens, shorter than one sample of " + seqLen + " (use a longer text or a smaller --calib-seqlen)");
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[][] windows = new int[samples][];
        int bos = tokenizer.bos().isPresent() ? tokenizer.bos().getAsInt() : -1;
        for (int s = 0; s < samples; s++) {
            int start = random.nextInt(tokens.length - seqLen + 1);
            windows[s] = java.util.Arrays.copyOfRange(tokens, start, start + seqLen);
            if (bos >= 0) {
                windows[s][0] = bos;
            }
        }
        return new CalibrationSet(windows);
    }
}
