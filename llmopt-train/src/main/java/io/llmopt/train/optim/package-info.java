/**
 * Optimisation: AdamW with decoupled weight decay and bias correction, the warm-up + cosine learning-rate
 * schedule with a floor, and global-norm gradient clipping. All are elementwise or reduce over fixed segments of
 * the flat parameter array, so their results do not depend on the thread count.
 *
 * <p>Depends on {@code io.llmopt.train} (parameter layout) and the tensor module's worker pool only.
 */
package io.llmopt.train.optim;
