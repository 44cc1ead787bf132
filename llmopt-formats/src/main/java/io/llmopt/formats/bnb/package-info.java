/**
 * bitsandbytes' serialization of quantized weights (NF4/FP4 with optional double quantization, LLM.int8) in
 * safetensors state dicts: {@link io.llmopt.formats.bnb.BnbLayout} documents the tensors, {@link
 * io.llmopt.formats.bnb.BnbEncoder} writes them from float rows, {@link io.llmopt.formats.bnb.BnbDecoder} reads
 * them into llmopt tensors. Knows bytes and tensor-name suffixes, not model architectures.
 */
package io.llmopt.formats.bnb;
