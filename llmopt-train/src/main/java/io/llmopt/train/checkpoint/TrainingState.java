package io.llmopt.train.checkpoint;

import io.llmopt.train.TrainHistory;
import java.util.Map;

/**
 * Everything needed to continue a run exactly where it stopped, after optimizer step {@code step}.
 *
 * @param modelConfig      the model's config as text (a resumed run must use the same)
 * @param settings         the curve-determining options by CLI flag ({@link io.llmopt.train.TrainOptions#curveSettings()})
 * @param objective        what is minimised, with its own settings ("cross-entropy", "distillation τ=… α=…")
 * @param epoch            data position: epoch of the window sampler
 * @param windowIndex      data position: next window within the epoch
 * @param optimizerUpdates AdamW's update count (bias correction)
 * @param params           parameters [P];  firstMoments, secondMoments: AdamW's m and v [P]
 */
public record TrainingState(String modelConfig, Map<String, String> settings, String objective, long step, long epoch,
        long windowIndex, long tokensSeen, long optimizerUpdates, TrainHistory history, float[] params,
        float[] firstMoments, float[] secondMoments) {

    public TrainingState {
        settings = Map.copyOf(settings);
        if (params.length != firstMoments.length || params.length != secondMoments.length) {
            throw new IllegalArgumentException("parameters and moments differ in size");
        }
    }
}
