/**
 * llama.cpp-compatible model quantization: {@link io.llmopt.compress.quantize.ModelQuantizer} turns any model
 * llmopt loads into a GGUF file of a llama.cpp type or k-quant mix ({@link io.llmopt.compress.quantize.QuantMix}),
 * choosing each tensor's type as llama-quantize b4747 does and encoding it with the scalar reference quantizers
 * of {@code io.llmopt.tensor.quant}, optionally weighted by an importance matrix.
 *
 * <p>Depends on model (loading, GGUF metadata of converted models), formats (GGUF writing) and tensor (codecs,
 * worker pool). Must not depend on the CLI; prints nothing (progress goes to a listener).
 */
package io.llmopt.compress.quantize;
