/**
 * The {@code llmopt} command: one class per subcommand, picocli. The only layer that prints to a terminal or exits.
 */
package io.llmopt.cli;
