/**
 * Training a byte-level BPE tokenizer from text and writing it as a Hugging Face {@code tokenizer.json}.
 *
 * <p>{@link io.llmopt.tokenizer.train.WordCounts} pre-tokenizes text (Qwen2's split regex, special tokens cut out)
 * into distinct words with counts; {@link io.llmopt.tokenizer.train.BpeTrainer} learns merges over them (pair counts
 * updated incrementally, a priority queue with lazy invalidation, deterministic ties);
 * {@link io.llmopt.tokenizer.train.TokenizerJsonWriter} writes {@code tokenizer.json} and {@code tokenizer_config.json}
 * atomically, in the schema that {@link io.llmopt.tokenizer.Tokenizers} and the HF {@code tokenizers} library read.
 *
 * <p>Depends on {@code io.llmopt.tokenizer} (the byte-level alphabet) and {@code io.llmopt.tensor} (errors) only.
 */
package io.llmopt.tokenizer.train;
