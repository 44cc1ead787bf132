/**
 * Autoregressive generation of one sequence: prompt prefill, sampling, streaming text, stop strings, timings.
 */
package io.llmopt.model.generate;
