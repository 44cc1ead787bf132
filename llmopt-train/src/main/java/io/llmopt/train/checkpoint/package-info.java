/**
 * Training checkpoints: the complete state of a run (parameters, AdamW moments and update count, step, data
 * position, loss history, and the settings a resumed run must share), written atomically and verified, read back
 * with clear errors for damaged files.
 *
 * <p>Depends on {@code io.llmopt.train} (history) and the tensor module's exception only.
 */
package io.llmopt.train.checkpoint;
