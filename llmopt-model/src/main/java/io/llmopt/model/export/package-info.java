/**
 * Writing models: tensors under a target naming convention (with RoPE row permutation between layouts), random
 * weights for {@code init}, and GGUF / Hugging Face writers built on the formats module.
 */
package io.llmopt.model.export;
