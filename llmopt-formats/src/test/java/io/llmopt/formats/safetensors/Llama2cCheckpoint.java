package io.llmopt.formats.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Test-only reader of a llama2.c "legacy v0" checkpoint, written from the layout in shared/README.md §1 and
 * independent of the code under test: 7 little-endian int32 (dim, hidden_dim, n_layers, n_heads, n_kv_heads,
 * vocab_size, seq_len) then float32 arrays token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3,
 * rms_final (then RoPE tables, ignored). Matrices are [out][in].
 *
 * <p>{@link #hfTensors()} gives the arrays under Hugging Face names, with q/k rows permuted per head as the
 * README states: {@code HF = W.reshape(n_heads, hd/2, 2, in).transpose(0, 2, 1, 3).reshape(out, in)}.
 */
record Llama2cCheckpoint(int dim, int hiddenDim, int layers, int heads, int kvHeads, int vocab, int seqLen, Map<String, float[]> arrays) {

    static Llama2cCheckpoint read(Path bin) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
        int dim = b.getInt(), hidden = b.getInt(), layers = b.getInt(), heads = b.getInt(), kv = b.getInt();
        int vocab = Math.abs(b.getInt()), seq = b.getInt();
        int hd = dim / heads;
        Map<String, float[]> a = new LinkedHashMap<>();
        a.put("emb", take(b, vocab * dim));
        a.put("rms_att", take(b, layers * dim));
        a.put("wq", take(b, layers * dim * dim));
        a.put("wk", take(b, layers * kv * hd * dim));
        a.put("wv", take(b, layers * kv * hd * dim));
        a.put("wo", take(b, layers * dim * dim));
        a.put("rms_ffn", take(b, layers * dim));
        a.put("w1", take(b, layers * hidden * dim));
        a.put("w2", take(b, layers * dim * hidden));
        a.put("w3", take(b, layers * hidden * dim));
        a.put("rms_final", take(b, dim));
        return new Llama2cCheckpoint(dim, hidden, layers, heads, kv, vocab, seq, a);
    }

    private static float[] take(ByteBuffer b, int n) {
        float[] out = new float[n];
        b.asFloatBuffer().get(out);
        b.position(b.position() + 4 * n);
        return out;
    }

    /** Layer {@code l}'s slice of a stacked [layers][rows][cols] array. */
    private float[] layer(String key, int l, int size) {
        float[] out = new float[size];
        System.arraycopy(arrays.get(key), l * size, out, 0, size);
        return out;
    }

    /** Rows of [out][in] weight {@code w} reordered from llama2.c's interleaved RoPE pairs to HF's halves. */
    static float[] hfPermute(float[] w, int nHeads, int rows, int cols) {
        int hd = rows / nHeads;
        float[] out = new float[w.length];
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < hd / 2; i++) {
                for (int j = 0; j < 2; j++) {
                    int src = h * hd + i * 2 + j;    // index in shape (n_heads, hd/2, 2)
                    int dst = h * hd + j * (hd / 2) + i; // after transpose to (n_heads, 2, hd/2)
                    System.arraycopy(w, src * cols, out, dst * cols, cols);
                }
            }
        }
        return out;
    }

    /** HF tensor name → (shape, values) for the 48 tensors of the shared HF directories. */
    Map<String, Expected> hfTensors() {
        int hd = dim / heads;
        Map<String, Expected> m = new LinkedHashMap<>();
        m.put("model.embed_tokens.weight", new Expected(new long[] {vocab, dim}, arrays.get("emb")));
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            m.put(p + "self_attn.q_proj.weight", new Expected(new long[] {dim, dim}, hfPermute(layer("wq", l, dim * dim), heads, dim, dim)));
            m.put(p + "self_attn.k_proj.weight", new Expected(new long[] {kvHeads * hd, dim},
                    hfPermute(layer("wk", l, kvHeads * hd * dim), kvHeads, kvHeads * hd, dim)));
            m.put(p + "self_attn.v_proj.weight", new Expected(new long[] {kvHeads * hd, dim}, layer("wv", l, kvHeads * hd * dim)));
            m.put(p + "self_attn.o_proj.weight", new Expected(new long[] {dim, dim}, layer("wo", l, dim * dim)));
            m.put(p + "mlp.gate_proj.weight", new Expected(new long[] {hiddenDim, dim}, layer("w1", l, hiddenDim * dim)));
            m.put(p + "mlp.down_proj.weight", new Expected(new long[] {dim, hiddenDim}, layer("w2", l, dim * hiddenDim)));
            m.put(p + "mlp.up_proj.weight", new Expected(new long[] {hiddenDim, dim}, layer("w3", l, hiddenDim * dim)));
            m.put(p + "input_layernorm.weight", new Expected(new long[] {dim}, layer("rms_att", l, dim)));
            m.put(p + "post_attention_layernorm.weight", new Expected(new long[] {dim}, layer("rms_ffn", l, dim)));
        }
        m.put("model.norm.weight", new Expected(new long[] {dim}, arrays.get("rms_final")));
        m.put("lm_head.weight", new Expected(new long[] {vocab, dim}, arrays.get("emb")));
        return m;
    }

    record Expected(long[] shape, float[] values) {
    }
}
