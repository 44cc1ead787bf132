/**
 * The OpenAI-compatible HTTP server over llmopt-engine: Jetty 12 core handlers on virtual threads;
 * /v1/models, /v1/completions, /v1/chat/completions (JSON or server-sent events), /health, /metrics (Prometheus
 * via Micrometer), /tokenize, /detokenize. It speaks to models only through
 * {@link io.llmopt.engine.InferenceEngine} (server → engine → model): it tokenizes and renders chat templates, but
 * never runs the model itself. Engine callbacks run on the engine thread and are handed to each request's
 * virtual thread through a queue ({@code GenerationRun}).
 */
package io.llmopt.server;
