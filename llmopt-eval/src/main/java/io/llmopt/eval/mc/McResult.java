package io.llmopt.eval.mc;

/**
 * Accuracy on a multiple-choice task (or on its first items, when interrupted: {@code complete} false).
 *
 * @param acc           fraction of items whose highest log-likelihood answer is the gold one
 * @param accStderr     sample standard error of acc, sqrt(acc(1 − acc)/(n − 1)) as lm-evaluation-harness
 * @param accNorm       the same with each log-likelihood divided by its answer's length in characters
 * @param accMutualInfo the same with log P(answer | context) − log P(answer | BOS) (the harness's
 *                      acc_mutual_info): removes each answer's prior likelihood, which otherwise dominates
 *                      when answers are unrelated sentences (cloze tasks)
 * @param chance        expected accuracy of guessing (mean of 1/choices)
 */
public record McResult(String task, int items, int itemsPlanned, double acc, double accStderr, double accNorm,
        double accNormStderr, double accMutualInfo, double accMutualInfoStderr, double chance, double elapsedSeconds, boolean complete) {
}
