/** OpenAI-compatible HTTP server over llmopt-engine (owned by the serve work). */
package io.llmopt.server;
