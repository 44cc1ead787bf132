package io.llmopt.compress.prune;

/** Progress of a pruning run (called on the pruning thread). */
public interface PruneListener {
    PruneListener NONE = new PruneListener() {
    };

    /** Calibration or pruning of {@code layer} (0-based) of {@code layers} has started; stage is a short word. */
    default void layerStarted(int layer, int layers, String stage) {
    }

    default void matrixDone(PruneReport.MatrixReport report) {
    }
}
