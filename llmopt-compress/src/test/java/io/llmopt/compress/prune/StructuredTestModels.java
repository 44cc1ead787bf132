package io.llmopt.compress.prune;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;

/** {@link TinyModels} for the structured tests in the sub-package. */
public final class StructuredTestModels {
    private StructuredTestModels() {
    }

    public static LlamaConfig config() {
        return TinyModels.config();
    }

    public static LlamaWeights weights(LlamaConfig c, long seed) {
        return TinyModels.weights(c, seed);
    }

    public static CalibrationSet calibration(LlamaConfig c, int samples, int seqLen, long seed) {
        return TinyModels.calibration(c, samples, seqLen, seed);
    }

    public static float[] logits(LlamaConfig c, LlamaWeights w, int[] tokens) {
        return TinyModels.logits(c, w, tokens);
    }
}
