/**
 * The Llama-family decoder: config, weights, RMSNorm, RoPE, grouped-query causal attention, SwiGLU, KV cache and the
 * batched forward pass; {@link io.llmopt.model.AttentionHead} is the one per-head attention shared with the paged
 * cache, {@link io.llmopt.model.HalfRows} and {@link io.llmopt.model.Q8Rows} the binary16 and Q8_0 row operations
 * of its f16 and q8_0 variants. Computes through
 * {@code io.llmopt.tensor.kernel}; knows tensor names only through the
 * loader's tables. Must not import cli, server or file-format writers.
 */
package io.llmopt.model;
