/**
 * Opening models from GGUF, Hugging Face directories and llama2.c checkpoints: format detection, one tensor-name
 * table per convention, config mapping, tokenizer lookup.
 */
package io.llmopt.model.loader;
