package io.llmopt.compress.calib;

import io.llmopt.tensor.LlmoptException;
import java.nio.file.Path;

/**
 * Where calibration windows come from.
 *
 * @param text    calibration text file (training text — never the evaluation text)
 * @param samples number of windows
 * @param seqLen  tokens per window
 * @param seed    seed of the window positions
 */
public record CalibrationOptions(Path text, int samples, int seqLen, long seed) {

    public CalibrationOptions {
        if (samples < 1) {
            throw new LlmoptException("--calib-samples must be positive, got " + samples);
        }
        if (seqLen < 2) {
            throw new LlmoptException("--calib-seqlen must be at least 2, got " + seqLen);
        }
    }
}
