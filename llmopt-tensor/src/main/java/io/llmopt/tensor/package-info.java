/**
 * The bottom layer: element types (GGUF ids, block layouts), tensors as views over memory (with optional
 * execution forms of the same values: bitmap-sparse {@link io.llmopt.tensor.BitmapRows}, and the
 * {@link io.llmopt.tensor.PackedRows} layouts {@link io.llmopt.tensor.ColumnPanels},
 * {@link io.llmopt.tensor.LanePackedQ4_0} and {@link io.llmopt.tensor.RowInterleaved} that the vector kernels read), little-endian layouts,
 * the user-facing {@link io.llmopt.tensor.LlmoptException}. Imports nothing of llmopt.
 */
package io.llmopt.tensor;
