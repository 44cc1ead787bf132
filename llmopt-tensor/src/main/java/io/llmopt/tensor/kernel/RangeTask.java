package io.llmopt.tensor.kernel;

/** A piece of parallel work over the index range [from, to), run by worker number {@code worker}. */
@FunctionalInterface
public interface RangeTask {
    void run(int worker, int from, int to);
}
