/**
 * The bottom layer: element types (GGUF ids, block layouts), tensors as views over memory, little-endian layouts,
 * the user-facing {@link io.llmopt.tensor.LlmoptException}. Imports nothing of llmopt.
 */
package io.llmopt.tensor;
