/**
 * {@code llmopt tokenizer}: tokenizer tools; {@code llmopt tokenizer train} learns a byte-level BPE vocabulary from
 * text ({@link io.llmopt.tokenizer.train}) and writes a Hugging Face tokenizer.json.
 */
package io.llmopt.cli.tokenizer;
