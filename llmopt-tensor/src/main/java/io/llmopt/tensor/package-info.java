/**
 * The bottom layer: element types (GGUF ids, block layouts), tensors as views over memory (with an optional
 * bitmap-sparse execution form, {@link io.llmopt.tensor.BitmapRows}), little-endian layouts,
 * the user-facing {@link io.llmopt.tensor.LlmoptException}. Imports nothing of llmopt.
 */
package io.llmopt.tensor;
