/**
 * The {@code llmopt loadtest} client: synthetic streaming load against any OpenAI-compatible server, with
 * throughput and TTFT / inter-token / end-to-end latency percentiles. Uses java.net.http only; imports nothing
 * from the server package, so it measures llmopt and other servers (llama.cpp's llama-server) alike.
 */
package io.llmopt.server.loadtest;
