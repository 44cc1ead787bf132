/**
 * The serving engine: admits requests, schedules them with continuous batching over a paged KV cache with
 * prefix caching, runs the model one {@code step()} at a time and streams tokens to each request's
 * {@link io.llmopt.engine.TokenSink}. No HTTP here (that is llmopt-server); this package imports model,
 * tokenizer and tensor only.
 *
 * <p>The contract the server codes against: {@link io.llmopt.engine.InferenceEngine},
 * {@link io.llmopt.engine.EngineRequest}, {@link io.llmopt.engine.TokenSink},
 * {@link io.llmopt.engine.RequestHandle}, {@link io.llmopt.engine.EngineStats}.
 */
package io.llmopt.engine;
