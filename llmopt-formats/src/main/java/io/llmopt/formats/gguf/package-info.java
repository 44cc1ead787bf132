/**
 * The GGUF file format (v2 and v3, little-endian): {@link io.llmopt.formats.gguf.GgufFile} reads and
 * validates a file and exposes its tensors as zero-copy {@link io.llmopt.tensor.Tensor} views of a memory
 * mapping; {@link io.llmopt.formats.gguf.GgufWriter} writes one atomically, streaming tensor data;
 * {@link io.llmopt.formats.gguf.GgufMetadata} / {@link io.llmopt.formats.gguf.GgufValue} model the typed
 * key/value metadata so that a file can be written back unchanged.
 *
 * <p>This package knows bytes, not models: it never interprets tensor names or metadata keys (other than
 * {@code general.alignment}, which is part of the format), and must not import model, tokenizer or engine
 * code. Element types and their codecs come from {@code io.llmopt.tensor}.
 *
 * <p>Errors in input files are reported as one-line {@link io.llmopt.tensor.LlmoptException}s naming the
 * file, the byte offset where it applies, and what was expected.
 */
package io.llmopt.formats.gguf;
