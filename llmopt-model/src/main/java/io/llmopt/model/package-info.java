/**
 * The Llama-family decoder: config, weights, RMSNorm, RoPE, grouped-query causal attention, SwiGLU, KV cache and the
 * batched forward pass. Computes through {@code io.llmopt.tensor.kernel}; knows tensor names only through the
 * loader's tables. Must not import cli, server or file-format writers.
 */
package io.llmopt.model;
