/**
 * Element-type codecs: for each {@link io.llmopt.tensor.GgmlType} a scalar reference {@link
 * io.llmopt.tensor.quant.BlockCodec} that decodes blocks and, for the float and llama.cpp block types, encodes them
 * exactly as ggml b4747 does (reference quantizers, and the importance-weighted searches used with an importance
 * matrix). The searches ({@code ScaleSearch}, {@code AffineSearch}) and per-type quantizers are transcriptions of
 * ggml's procedures in the same float operation order, verified byte for byte against llama.cpp's output.
 *
 * <p>Owns block layouts and rounding; knows nothing of files, models or threads (callers parallelize over rows).
 * Must not import formats, model or kernel code.
 */
package io.llmopt.tensor.quant;
