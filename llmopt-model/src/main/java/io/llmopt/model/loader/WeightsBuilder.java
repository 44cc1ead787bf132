package io.llmopt.model.loader;

import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects a model's weights from a {@link TensorSource} through a {@link TensorNames} table. Matrices stay
 * views of the file; norm weights and biases (a few KB) are decoded to float arrays. A missing output matrix
 * means tied embeddings.
 */
public final class WeightsBuilder {
    private WeightsBuilder() {
    }

    public static LlamaWeights build(TensorSource src, TensorNames n, LlamaConfig c) {
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            boolean bias = c.attentionBias();
            layers.add(new LayerWeights(
                    vector(src, n.attnNorm(), l),
                    matrix(src, n.wq(), l), matrix(src, n.wk(), l), matrix(src, n.wv(), l), matrix(src, n.wo(), l),
                    bias ? vector(src, n.bq(), l) : null, bias ? vector(src, n.bk(), l) : null, bias ? vector(src, n.bv(), l) : null,
                    vector(src, n.ffnNorm(), l),
                    matrix(src, n.gate(), l), matrix(src, n.up(), l), matrix(src, n.down(), l)));
        }
        Tensor embedding = require(src, n.tokenEmbedding());
        Tensor output = c.tiedEmbeddings() ? embedding : require(src, n.output());
        LlamaWeights w = new LlamaWeights(embedding, layers, require(src, n.outputNorm()).toFloatArray(), output);
        try {
            w.validate(c);
        } catch (LlmoptException e) {
            throw new LlmoptException(src.source() + ": " + e.getMessage(), e);
        }
        return w;
    }

    private static Tensor matrix(TensorSource src, String pattern, int layer) {
        return require(src, TensorNames.layer(pattern, layer));
    }

    private static float[] vector(TensorSource src, String pattern, int layer) {
        return require(src, TensorNames.layer(pattern, layer)).toFloatArray();
    }

    static Tensor require(TensorSource src, String name) {
        return src.find(name).orElseThrow(() -> new LlmoptException(src.source() + ": missing tensor '" + name + "'"));
    }
}
