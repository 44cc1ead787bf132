/** {@code llmopt serve} (the OpenAI-compatible server of llmopt-server) and {@code llmopt loadtest} (its load generator). */
package io.llmopt.cli.serve;
