package io.llmopt.model.loader;

/**
 * The tensor-name table of one file convention; {@code %d} stands for the layer index. Llama, Mistral and
 * Qwen2 share each table (Qwen2 adds the q/k/v biases, which are looked up only when the config has them).
 */
public record TensorNames(
        String tokenEmbedding, String outputNorm, String output,
        String attnNorm, String wq, String wk, String wv, String wo,
        String bq, String bk, String bv,
        String ffnNorm, String gate, String up, String down) {

    /** llama.cpp's GGUF names (llm_tensor names of LLM_ARCH_LLAMA / QWEN2). */
    public static final TensorNames GGUF = new TensorNames(
            "token_embd.weight", "output_norm.weight", "output.weight",
            "blk.%d.attn_norm.weight", "blk.%d.attn_q.weight", "blk.%d.attn_k.weight", "blk.%d.attn_v.weight",
            "blk.%d.attn_output.weight",
            "blk.%d.attn_q.bias", "blk.%d.attn_k.bias", "blk.%d.attn_v.bias",
            "blk.%d.ffn_norm.weight", "blk.%d.ffn_gate.weight", "blk.%d.ffn_up.weight", "blk.%d.ffn_down.weight");

    /** Hugging Face transformers' LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM names. */
    public static final TensorNames HF = new TensorNames(
            "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight",
            "model.layers.%d.input_layernorm.weight", "model.layers.%d.self_attn.q_proj.weight",
            "model.layers.%d.self_attn.k_proj.weight", "model.layers.%d.self_attn.v_proj.weight",
            "model.layers.%d.self_attn.o_proj.weight",
            "model.layers.%d.self_attn.q_proj.bias", "model.layers.%d.self_attn.k_proj.bias",
            "model.layers.%d.self_attn.v_proj.bias",
            "model.layers.%d.post_attention_layernorm.weight", "model.layers.%d.mlp.gate_proj.weight",
            "model.layers.%d.mlp.up_proj.weight", "model.layers.%d.mlp.down_proj.weight");

    public static String layer(String pattern, int layer) {
        return pattern.replace("%d", Integer.toString(layer));
    }
}
