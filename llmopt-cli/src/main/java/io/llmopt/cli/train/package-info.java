/**
 * The {@code train} and {@code distill} subcommands: flags, starting models (files, presets, configs, students
 * from their teacher), progress on stderr, model output (GGUF and/or Hugging Face) and JSON summaries. All training
 * logic lives in {@code io.llmopt.train}.
 */
package io.llmopt.cli.train;
