package io.llmopt.compress.calib;

import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.ArrayList;
import java.util.List;

/**
 * A model's weights while a compression method rewrites them layer by layer: layers not yet touched are the
 * loaded (memory-mapped) tensors, rewritten layers are in-memory F32 tensors. {@link #truncated} runs the first
 * layers as a model of their own, which is how a layer's inputs are computed from the already-modified
 * layers before it.
 */
public final class WorkingWeights {
    private final LlamaConfig config;
    private final LlamaWeights original;
    private final List<LayerWeights> layers;

    public WorkingWeights(LlamaConfig config, LlamaWeights weights) {
        this.config = config;
        this.original = weights;
        this.layers = new ArrayList<>(weights.layers());
    }

    public LlamaConfig config() {
        return config;
    }

    public LayerWeights layer(int l) {
        return layers.get(l);
    }

    public void setLayer(int l, LayerWeights w) {
        layers.set(l, w);
    }

    public LlamaWeights weights() {
        return new LlamaWeights(original.tokenEmbedding(), layers, original.outputNorm(), original.output());
    }

    /**
     * The first {@code n} layers as a model (same embedding, final norm and output), for computing what layer n
     * receives. With {@code unitOutputNorm} the final norm weight is all ones, so the output projection's input
     * is the plain RMS-normalized hidden state.
     */
    public LlamaModel truncated(int n, boolean unitOutputNorm, Kernels kernels, WorkerPool pool) {
        LlamaConfig c = withLayers(config, n);
        float[] norm = original.outputNorm();
        if (unitOutputNorm) {
            norm = new float[norm.length];
            java.util.Arrays.fill(norm, 1f);
        }
        LlamaWeights w = new LlamaWeights(original.tokenEmbedding(), layers.subList(0, n), norm, original.output());
        return new LlamaModel(c, w, kernels, pool);
    }

    /** {@code c} with another layer count. */
    public static LlamaConfig withLayers(LlamaConfig c, int n) {
        return new LlamaConfig(c.architecture(), c.hiddenSize(), c.intermediateSize(), n, c.numHeads(), c.numKvHeads(),
                c.headDim(), c.vocabSize(), c.rmsNormEps(), c.ropeTheta(), c.ropeDim(), c.ropeLayout(), c.ropeScaling(),
                c.contextLength(), c.tiedEmbeddings(), c.attentionBias(), c.slidingWindow());
    }
}
