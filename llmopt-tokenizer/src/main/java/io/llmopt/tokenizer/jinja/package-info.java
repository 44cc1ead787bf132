/**
 * A small Jinja2 implementation for chat templates: Python jinja2 semantics for the subset HF and llama.cpp chat
 * templates use (if/for/set/macro/filter blocks, loop controls, namespaces, Python string/dict methods, slicing,
 * {@code tojson} as transformers defines it), with HF's environment settings (trim_blocks, lstrip_blocks).
 *
 * <p>Why not a library: jinjava (the Java Jinja on Maven Central) cannot parse {@code messages[::-1]} or
 * {@code namespace(a=…)} with expressions, ignores {@code {{-}}/{@code -}}} whitespace control and lacks Python's
 * {@code str} methods, so it cannot reproduce HF renders byte for byte.
 *
 * <p>Depends only on {@code io.llmopt.tensor} (errors); used by {@code io.llmopt.tokenizer.ChatTemplate}.
 */
package io.llmopt.tokenizer.jinja;
