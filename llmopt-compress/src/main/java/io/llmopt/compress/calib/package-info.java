/**
 * Calibration for compression methods that look at activations (Wanda, SparseGPT; later GPTQ/AWQ): random token
 * windows of a calibration text ({@link io.llmopt.compress.calib.CalibrationSet}), per-layer input statistics
 * (column squared norms and XᵀX, {@link io.llmopt.compress.calib.InputStatistics}) collected layer by layer so
 * that each layer sees the outputs of the already-modified layers before it
 * ({@link io.llmopt.compress.calib.SequentialCalibration}).
 *
 * <p>Depends on model and tokenizer; prints nothing.
 */
package io.llmopt.compress.calib;
