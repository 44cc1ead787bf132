/**
 * Hugging Face {@code config.json} for the decoder-only architectures llmopt runs: {@code LlamaForCausalLM},
 * {@code MistralForCausalLM} and {@code Qwen2ForCausalLM}.
 *
 * <p>This package owns the configuration fields only — their names, types, defaults and consistency rules,
 * read and written with the spelling transformers uses — as the immutable, validated {@link HfConfig} and
 * {@link RopeScaling} records. It does not build models or compute RoPE tables, and must not import
 * {@code io.llmopt.model} or {@code io.llmopt.tokenizer}; {@code tokenizer_config.json} belongs to the
 * tokenizer module.
 *
 * <p>Every problem with a file is an {@link io.llmopt.tensor.LlmoptException} whose one-line message names the
 * file and the field.
 */
package io.llmopt.formats.hf;
