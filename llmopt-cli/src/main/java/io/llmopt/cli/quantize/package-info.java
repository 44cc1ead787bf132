/**
 * The {@code quantize} and {@code imatrix} subcommands: argument parsing, progress, logs and JSON reports around
 * {@code io.llmopt.compress}. Register in {@code io.llmopt.cli.Main} with
 * {@code QuantizeCommand.class, ImatrixCommand.class} in its subcommands.
 */
package io.llmopt.cli.quantize;
