/** {@code llmopt prune}: unstructured, N:M and structured pruning from the command line. */
package io.llmopt.cli.prune;
