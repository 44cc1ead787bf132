/**
 * bitsandbytes-style quantization (NF4/FP4 with optional double quantization, LLM.int8) of a model into a
 * Hugging Face directory in bitsandbytes' serialization ({@code io.llmopt.formats.bnb}), which llmopt's HF loader
 * reads back into NF4/FP4/INT8 tensors. Depends on model and formats; prints nothing.
 */
package io.llmopt.compress.bnb;
