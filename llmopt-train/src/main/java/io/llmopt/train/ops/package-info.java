/**
 * Forward/backward pairs of every training op, in llm.c's style: {@code forward} saves what {@code backward}
 * needs, {@code backward} takes the same arguments and accumulates into {@code d}-prefixed buffers (the losses,
 * as roots of the graph, write theirs). Ops: embedding, RMSNorm, matmul (+bias), RoPE (both layouts), grouped-query
 * causal attention, SwiGLU, cross-entropy and the distillation loss. Matmuls reduce to one {@link
 * io.llmopt.train.ops.Gemm}, scalar reference and Vector API twin, bit-identical and deterministic in the thread
 * count. Every gradient is checked against float64 finite differences in the tests.
 *
 * <p>Depends on {@code io.llmopt.tensor.kernel} (worker pool, dot/axpy) and {@code io.llmopt.model} (config, RoPE
 * tables); knows nothing of parameters, optimizers or files.
 */
package io.llmopt.train.ops;
