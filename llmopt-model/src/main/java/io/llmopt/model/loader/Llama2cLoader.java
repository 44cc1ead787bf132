package io.llmopt.model.loader;

import io.llmopt.formats.llama2c.Llama2cCheckpoint;
import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps a llama2.c checkpoint onto the Llama model: llama2.c's own names, one [layers, …] stack per weight
 * kind, sliced per layer. llama2.c models use ε = 1e-5, RoPE base 10000 and interleaved RoPE pairs.
 */
public final class Llama2cLoader {
    private Llama2cLoader() {
    }

    public static LlamaConfig config(Llama2cCheckpoint.Header h) {
        return new LlamaConfig("llama", h.dim(), h.hiddenDim(), h.layers(), h.heads(), h.kvHeads(), h.headDim(),
                h.vocabSize(), 1e-5f, 10000.0, h.headDim(), RopeLayout.INTERLEAVED, RopeScaling.NONE, h.seqLen(),
                h.sharedClassifier(), false, 0);
    }

    public static LlamaWeights weights(Llama2cCheckpoint ckpt) {
        Llama2cCheckpoint.Header h = ckpt.header();
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < h.layers(); l++) {
            layers.add(new LayerWeights(
                    slice(ckpt, "rms_att_weight", l).toFloatArray(),
                    slice(ckpt, "wq", l), slice(ckpt, "wk", l), slice(ckpt, "wv", l), slice(ckpt, "wo", l),
                    null, null, null,
                    slice(ckpt, "rms_ffn_weight", l).toFloatArray(),
                    slice(ckpt, "w1", l), slice(ckpt, "w3", l), slice(ckpt, "w2", l)));
        }
        Tensor embedding = ckpt.tensor("token_embedding_table");
        Tensor output = h.sharedClassifier() ? embedding : ckpt.tensor("wcls");
        return new LlamaWeights(embedding, layers, ckpt.tensor("rms_final_weight").toFloatArray(), output);
    }

    private static Tensor slice(Llama2cCheckpoint ckpt, String name, int layer) {
        return ckpt.tensor(name).slice(name + "[" + layer + "]", layer);
    }
}
