package io.llmopt.model;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * All weights of a Llama-family model, checked against its config. {@code output} is the same tensor as
 * {@code tokenEmbedding} when embeddings are tied.
 */
public record LlamaWeights(Tensor tokenEmbedding, List<LayerWeights> layers, float[] outputNorm, Tensor output) {

    public LlamaWeights {
        layers = List.copyOf(layers);
    }

    /** Fails with a message naming the tensor whose shape disagrees with the config. */
    public void validate(LlamaConfig c) {
        expect(tokenEmbedding, c.vocabSize(), c.hiddenSize());
        expect(output, c.vocabSize(), c.hiddenSize());
        length("output_norm", outputNorm, c.hiddenSize());
        if (layers.size() != c.numLayers()) {
            throw new LlmoptException("model has " + layers.size() + " layers but the config says " + c.numLayers());
        }
        for (int i = 0; i < layers.size(); i++) {
            LayerWeights l = layers.get(i);
            length("layer " + i + " attn_norm", l.attnNorm(), c.hiddenSize());
            length("layer " + i + " ffn_norm", l.ffnNorm(), c.hiddenSize());
            expect(l.wq(), c.queryDim(), c.hiddenSize());
            expect(l.wk(), c.kvDim(), c.hiddenSize());
            expect(l.wv(), c.kvDim(), c.hiddenSize());
            expect(l.wo(), c.hiddenSize(), c.queryDim());
            expect(l.gate(), c.intermediateSize(), c.hiddenSize());
            expect(l.up(), c.intermediateSize(), c.hiddenSize());
            expect(l.down(), c.hiddenSize(), c.intermediateSize());
            if (c.attentionBias()) {
                length("layer " + i + " q bias", l.bq(), c.queryDim());
                length("layer " + i + " k bias", l.bk(), c.kvDim());
                length("layer " + i + " v bias", l.bv(), c.kvDim());
            }
        }
    }

    private static void expect(Tensor t, long rows, long cols) {
        long[] s = t.shape();
        if (s.length != 2 || s[0] != rows || s[1] != cols) {
            throw new LlmoptException("tensor '" + t.name() + "' has shape " + Arrays.toString(s) + ", expected [" + rows + ", " + cols + "]");
        }
    }

    private static void length(String what, float[] v, int n) {
        if (v == null || v.length != n) {
            throw new LlmoptException(what + " has " + (v == null ? "no" : v.length) + " values, expected " + n);
        }
    }

    public long weightBytes() {
        long sum = tokenEmbedding.byteSize() + (output == tokenEmbedding ? 0 : output.byteSize());
        for (LayerWeights l : layers) {
            for (Tensor t : new Tensor[] {l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()}) {
                sum += t.byteSize();
            }
        }
        return sum;
    }
}
