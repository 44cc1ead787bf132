/**
 * The model over a paged KV cache, for serving many sequences in one forward pass: {@link
 * io.llmopt.model.paged.PagedKvCache} (fixed-size blocks shared by all sequences, float32, binary16 or Q8_0 as {@link
 * io.llmopt.model.paged.KvCacheType} says), {@link
 * io.llmopt.model.paged.SequenceBatch} (the attention metadata of one step: tokens, positions, block tables) and
 * {@link io.llmopt.model.paged.PagedForward} (one batched matmul per weight over every token of the step). Block
 * allocation, prefix caching and scheduling are the engine's business: this package only reads the block ids it
 * is given. Imports io.llmopt.model and io.llmopt.tensor only.
 */
package io.llmopt.model.paged;
