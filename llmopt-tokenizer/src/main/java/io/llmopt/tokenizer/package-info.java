/**
 * Tokenizers of Llama-family models and their chat templates.
 *
 * <p>Owns: SentencePiece-style BPE with byte fallback ({@link io.llmopt.tokenizer.SpmTokenizer}, llama.cpp's
 * algorithm), rank-based BPE behind an HF-style pipeline ({@link io.llmopt.tokenizer.BpeTokenizer}: byte-level GPT-2 /
 * Llama-3 / Qwen2 pre-tokenizers and SentencePiece-style tokenizer.json), WordPiece for GGUF "bert" vocabularies,
 * special/added tokens, BOS/EOS rules, streaming-safe decoding, the loaders in {@link io.llmopt.tokenizer.Tokenizers}
 * (tokenizer.model, tokenizer.json, GGUF metadata, llama2.c tokenizer.bin), the exports back to GGUF metadata
 * ({@link io.llmopt.tokenizer.GgufTokenizerExport}) and Hugging Face files ({@link io.llmopt.tokenizer.HfTokenizerExport})
 * and {@link io.llmopt.tokenizer.ChatTemplate}
 * (Jinja chat templates, rendered by Jinjava with a small jinja2-compatibility layer: {@code ChatTemplateEngine},
 * {@code ChatTemplateRewrites}, {@code ChatTemplateFilters}, {@code ChatTemplateTags}, {@code PythonMethodResolver}).
 *
 * <p>Depends on {@code io.llmopt.tensor} (errors), {@code io.llmopt.formats.gguf} (metadata only) and Jinjava; must not import
 * model, engine or anything above it.
 */
package io.llmopt.tokenizer;
