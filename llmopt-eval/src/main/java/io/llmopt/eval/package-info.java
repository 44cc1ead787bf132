/**
 * Quality metrics of a language model on text: perplexity computed exactly as llama.cpp's
 * {@code llama-perplexity} does (and a Hugging Face style sliding window), KL divergence of a variant
 * against base log-probs saved to a compact file, and the statistics both report.
 *
 * <p>Owns: scoring windows, NLL statistics, the base-logits file format ({@code LLMOPTKL}). Depends on
 * {@code io.llmopt.model} (forward pass, tokenizer) only; must not import the CLI or print to a terminal —
 * progress is reported through {@link io.llmopt.eval.ProgressListener}.
 */
package io.llmopt.eval;
