/**
 * llama2.c checkpoints (legacy v0 float32 layout), memory-mapped; bytes and the file's own names, not model code.
 */
package io.llmopt.formats.llama2c;
