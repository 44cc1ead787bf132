package io.llmopt.train;

import java.nio.file.Path;

/** Progress of a run, for progress output; every method defaults to doing nothing. */
public interface TrainListener {

    /** One optimizer step done (step is 1-based: steps completed). */
    default void onStep(int step, int steps, float loss, double lr, double gradNorm, double tokensPerSecond) {
    }

    /** A validation pass done after {@code step} steps (0 = before training). */
    default void onEval(int step, float loss) {
    }

    default void onCheckpoint(int step, Path file) {
    }
}
