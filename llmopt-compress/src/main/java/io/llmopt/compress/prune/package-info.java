/**
 * Pruning: unstructured (magnitude per matrix or global, Wanda, SparseGPT) and semi-structured N:M sparsity
 * computed layer by layer on calibration statistics ({@link io.llmopt.compress.calib}), the per-layer report
 * (achieved sparsity, relative reconstruction error), and writing the pruned model
 * ({@link io.llmopt.compress.prune.ModelPruner}). Structured pruning (heads, neurons, layers) that makes a
 * smaller dense model is in {@code io.llmopt.compress.prune.structured}.
 *
 * <p>Depends on model, tokenizer and calib; prints nothing.
 */
package io.llmopt.compress.prune;
