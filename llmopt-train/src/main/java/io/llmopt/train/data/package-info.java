/**
 * Training data: text split into documents at {@code <|endoftext|>} and tokenized with BOS before each
 * ({@link io.llmopt.train.data.TokenCorpus}), shuffled fixed-length windows reproducible from a seed and a
 * position ({@link io.llmopt.train.data.WindowSampler}), and fixed held-out windows for validation.
 *
 * <p>Depends on {@code io.llmopt.tokenizer} and the tensor module's worker pool; knows nothing of models.
 */
package io.llmopt.train.data;
