/**
 * The safetensors file format: reading (one file, or the shards of a {@code model.safetensors.index.json})
 * as memory-mapped {@link io.llmopt.tensor.Tensor} views, and writing single files or Hugging Face-style shards.
 *
 * <p>This package owns bytes only: the 8-byte little-endian header length, the JSON header (dtype, shape,
 * {@code data_offsets}, {@code __metadata__}), the data section and the index's {@code weight_map}. It knows
 * nothing about model architectures or tensor naming conventions (that is the model layer's table) and must
 * not import {@code io.llmopt.model} or {@code io.llmopt.tokenizer}.
 *
 * <p>Every problem with a file is reported as an {@link io.llmopt.tensor.LlmoptException} whose one-line
 * message names the file, the tensor or field, and what was expected.
 *
 * <p>Specification followed: huggingface/safetensors README ("Format" section) and the reference Rust
 * implementation's validation rules (header at most 100,000,000 bytes, header starts with '{', offsets
 * contiguous and covering the whole data section).
 */
package io.llmopt.formats.safetensors;
