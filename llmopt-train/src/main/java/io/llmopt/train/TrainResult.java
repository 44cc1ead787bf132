package io.llmopt.train;

/**
 * The outcome of {@link Trainer#run()}.
 *
 * @param steps           optimizer steps completed in total (resumed runs included)
 * @param trainLossLast   mean training loss of the last step
 * @param validLossFirst  validation cross-entropy at the first evaluation (NaN without validation text)
 * @param validLossLast   validation cross-entropy at the last evaluation (NaN without validation text)
 * @param tokensSeen      training tokens consumed in total
 * @param seconds         wall time of this invocation
 * @param tokensPerSecond training throughput of this invocation (forward + backward + update)
 */
public record TrainResult(int steps, float trainLossLast, float validLossFirst, float validLossLast, long tokensSeen,
        double seconds, double tokensPerSecond, TrainHistory history) {
}
