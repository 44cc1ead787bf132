/**
 * Multiple-choice accuracy the way lm-evaluation-harness scores log-likelihood tasks (acc and the
 * length-normalized acc_norm, each with its standard error), task files in JSONL (a generic layout and the
 * native rows of HellaSwag, ARC, MMLU and WinoGrande), and a cloze-task maker that turns any text into a
 * "which sentence comes next" task.
 *
 * <p>Depends on {@code io.llmopt.model} and {@code io.llmopt.eval}; must not import the CLI or print.
 */
package io.llmopt.eval.mc;
