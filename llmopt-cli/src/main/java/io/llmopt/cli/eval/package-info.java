/**
 * {@code llmopt eval}: the command-line face of {@code llmopt-eval} — {@code ppl} (perplexity, saving base
 * logits, KL divergence), {@code mc} (multiple-choice accuracy) and {@code make-cloze}. Prints results
 * (text or {@code --json}) on stdout, progress on stderr, and the partial result on Ctrl-C. Imports the eval
 * and model modules; nothing below the CLI imports this package.
 */
package io.llmopt.cli.eval;
