/**
 * The serving engine: admits requests, schedules them with continuous batching over a paged KV cache with
 * prefix caching, runs the model one {@code step()} at a time and streams tokens to each request's
 * {@link io.llmopt.engine.TokenSink}. No HTTP here (that is llmopt-server); this package imports model,
 * tokenizer and tensor only.
 *
 * <p>The contract the server codes against: {@link io.llmopt.engine.InferenceEngine},
 * {@link io.llmopt.engine.EngineRequest}, {@link io.llmopt.engine.TokenSink},
 * {@link io.llmopt.engine.RequestHandle}, {@link io.llmopt.engine.EngineStats}; the implementation is
 * {@link io.llmopt.engine.BatchingEngine#start}.
 *
 * <p>Inside (vLLM's split): {@code BatchingEngine} runs step() = schedule, execute, update on one thread;
 * {@code Scheduler} decides tokens per sequence and sees only block ids; {@code BlockPool} owns reference counts,
 * the free list in eviction order and the chained-hash prefix cache; {@code Sequence} is one request's tokens and
 * block table; {@code SequenceOutput} its sampler, detokenizer and stop strings. The model receives its paged KV
 * cache and the step's metadata as arguments ({@code io.llmopt.model.paged}).
 */
package io.llmopt.engine;
