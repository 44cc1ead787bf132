package io.llmopt.compress.calib;

import io.llmopt.model.ActivationObserver;
import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.EnumMap;
import java.util.Map;

/**
 * Layer-by-layer calibration as in the SparseGPT/Wanda reference code. The residual stream of every calibration
 * token entering the current layer is kept ({@code hidden} [N][d], N = samples·seqLen); {@link #collect}
 * runs the current layer (still unchanged) on it and gathers the statistics of its four input groups;
 * {@link #advance} then runs the layer as it is now in the {@link WorkingWeights} (e.g. pruned) and moves
 * {@code hidden} to its output — so layer l+1 is calibrated on the outputs of the already-modified layer l.
 *
 * <p>A layer runs as a one-layer {@link LlamaModel} whose "token embedding" is the hidden-state table and
 * whose tokens are row indices (window s, position t → row s·seqLen + t, at position t): the model's own
 * forward pass, with no hidden-state API. Its output is x + attention·W_oᵀ + mlp·W_downᵀ, rebuilt from the
 * inputs of W_o and W_down the observer sees.
 */
public final class SequentialCalibration {
    private final WorkingWeights weights;
    private final CalibrationSet set;
    private final Kernels kernels;
    private final WorkerPool pool;
    private final float[] hidden;   // [N][d]
    private int layer;

    public SequentialCalibration(WorkingWeights weights, CalibrationSet set, Kernels kernels, WorkerPool pool) {
        this.weights = weights;
        this.set = set;
        this.kernels = kernels;
        this.pool = pool;
        int d = weights.config().hiddenSize();
        int n = set.seqLen();
        this.hidden = new float[set.samples() * n * d];
        Tensor embedding = weights.weights().tokenEmbedding();
        for (int s = 0; s < set.samples(); s++) {
            for (int t = 0; t < n; t++) {
                embedding.readRow(set.windows()[s][t], hidden, (s * n + t) * d);
            }
        }
    }

    public CalibrationSet set() {
        return set;
    }

    /** The layer whose inputs {@link #hidden()} holds. */
    public int layer() {
        return layer;
    }

    /** The residual stream entering {@link #layer()}, [samples·seqLen][d] (shared, do not modify). */
    public float[] hidden() {
        return hidden;
    }

    /** Statistics of every input group of the current layer; with {@code withGram} also XᵀX. */
    public Map<InputGroup, InputStatistics> collect(int l, boolean withGram) {
        requireLayer(l);
        LlamaConfig c = weights.config();
        Map<InputGroup, InputStatistics> stats = new EnumMap<>(InputGroup.class);
        stats.put(InputGroup.ATTN_IN, new InputStatistics(c.hiddenSize(), withGram));
        stats.put(InputGroup.ATTN_OUT, new InputStatistics(c.queryDim(), withGram));
        stats.put(InputGroup.FFN_IN, new InputStatistics(c.hiddenSize(), withGram));
        stats.put(InputGroup.FFN_OUT, new InputStatistics(c.intermediateSize(), withGram));
        runLayer(weights.layer(l), new LayerInputCollector(0, stats, kernels, pool), null);
        return stats;
    }

    /** Moves the hidden states through the current layer as it is now in the working weights. */
    public void advance() {
        if (layer >= weights.config().numLayers()) {
            throw new LlmoptException("calibration has passed the last layer");
        }
        LayerWeights w = weights.layer(layer);
        int d = weights.config().hiddenSize();
        int n = set.seqLen();
        float[] delta = new float[n * d];
        float[] next = hidden.clone();
        int[] sample = {0};
        runLayer(w, (l, weight, x, rows, cols) -> {
            if (weight == ActivationObserver.Weight.ATTN_OUTPUT || weight == ActivationObserver.Weight.FFN_DOWN) {
                Tensor m = weight == ActivationObserver.Weight.ATTN_OUTPUT ? w.wo() : w.down();
                kernels.matmul(m, x, 0, rows, delta, 0, pool);
                int base = sample[0] * n * d;
                for (int i = 0; i < rows * d; i++) {
                    next[base + i] += delta[i];
                }
            }
        }, sample);
        System.arraycopy(next, 0, hidden, 0, hidden.length);
        layer++;
    }

    private void requireLayer(int l) {
        if (l != layer) {
            throw new IllegalStateException("calibration is at layer " + layer + ", asked for layer " + l);
        }
    }

    /** Runs one layer over every window; {@code sample[0]} (if given) holds the window being run. */
    private void runLayer(LayerWeights w, ActivationObserver observer, int[] sample) {
        LlamaConfig c = weights.config();
        int n = set.seqLen();
        int rows = set.samples() * n;
        Tensor table = new DenseMatrix("calibration.hidden", rows, c.hiddenSize(), hidden).toTensor();
        LlamaConfig one = new LlamaConfig(c.architecture(), c.hiddenSize(), c.intermediateSize(), 1, c.numHeads(),
                c.numKvHeads(), c.headDim(), rows, c.rmsNormEps(), c.ropeTheta(), c.ropeDim(), c.ropeLayout(),
                c.ropeScaling(), Math.max(n, c.contextLength()), true, c.attentionBias(), c.slidingWindow());
        LlamaWeights lw = new LlamaWeights(table, java.util.List.of(w), weights.weights().outputNorm(), table);
        LlamaModel model = new LlamaModel(one, lw, kernels, pool);
        model.setActivationObserver(observer);
        int[] ids = new int[n];
        for (int s = 0; s < set.samples(); s++) {
            if (sample != null) {
                sample[0] = s;
            }
            for (int t = 0; t < n; t++) {
                ids[t] = s * n + t;
            }
            model.forward(model.newState(n, n), ids, 0, n, 0, false);
        }
    }

    /**
     * The hidden state entering each layer and leaving the last, per calibration token: result[k] = rows
     * [samples·seqLen][d] of the residual stream before layer k (k = numLayers: after the last), computed
     * with the working weights as they are. Starts from the current position (normally a fresh instance).
     */
    public float[][] hiddenStates() {
        int layers = weights.config().numLayers();
        float[][] out = new float[layers + 1 - layer][];
        for (int k = 0; layer < layers; k++) {
            out[k] = hidden.clone();
            advance();
        }
        out[out.length - 1] = hidden.clone();
        return out;
    }
}
