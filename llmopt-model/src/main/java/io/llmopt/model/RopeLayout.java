package io.llmopt.model;

/** Which elements of a head RoPE rotates together. */
public enum RopeLayout {
    /** Pairs (2i, 2i+1): llama2.c, Meta's checkpoints and GGUF arch "llama" (llama.cpp's "normal" RoPE). */
    INTERLEAVED,
    /** Pairs (i, i + d/2): Hugging Face "rotate_half" and llama.cpp's NEOX RoPE (e.g. GGUF qwen2). */
    HALF
}
