/**
 * Structured pruning that makes a smaller dense model: whole attention kv groups (with their query heads),
 * MLP intermediate channels, or whole decoder layers (ShortGPT block influence), with the config updated.
 * Llama configs have one head count and one intermediate size for all layers, so every layer loses the same
 * number of groups / channels (each layer chooses its own least important ones).
 *
 * <p>Depends on model and calib; prints nothing.
 */
package io.llmopt.compress.prune.structured;
