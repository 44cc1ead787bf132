package io.llmopt.compress.quantize;

/** Receives progress while a model is quantized (called on the quantizing thread; keep it quick). */
public interface QuantizeListener {
    QuantizeListener NONE = new QuantizeListener() {
    };

    /** Tensor {@code index} (0-based) of {@code count} starts; {@code type} is what it becomes. */
    default void tensorStarted(int index, int count, String name, String type) {
    }

    /** {@code done} of {@code total} values of the whole model have been written. */
    default void progress(long done, long total) {
    }

    default void tensorFinished(int index, int count, QuantizeReport.TensorReport report) {
    }

    /** Something the user should know that does not stop the run. */
    default void warning(String message) {
    }
}
