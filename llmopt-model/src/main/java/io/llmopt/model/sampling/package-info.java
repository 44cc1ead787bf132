/**
 * Sampling: turning the logits of the last position into the next token, and deciding when generated text stops.
 *
 * <p>Owns {@link io.llmopt.model.sampling.SamplingParams} (the validated knobs users set: temperature, top-k,
 * top-p, min-p, repeat/frequency/presence penalties, logit bias, seed), {@link io.llmopt.model.sampling.Sampler}
 * (one per sequence; the llama.cpp sampler chain, deterministic under a seed, allocation-free per token),
 * {@link io.llmopt.model.sampling.TopLogprobs} (log-softmax and top-n tokens of the raw logits, for OpenAI
 * {@code logprobs}) and {@link io.llmopt.model.sampling.StopSequences} (incremental stop-string matching over
 * streamed text).
 *
 * <p>Works on plain {@code float[]} logits and token ids: it must not import the model's forward pass, the
 * tokenizer, the engine or the server. Errors caused by user-supplied values are
 * {@link io.llmopt.tensor.LlmoptException}s whose one-line message names the field (in the snake_case spelling
 * of the OpenAI / llama.cpp request, e.g. {@code top_p}) and its allowed range.
 */
package io.llmopt.model.sampling;
