package io.llmopt.compress.calib;

import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.EnumMap;
import java.util.Map;

/**
 * Layer-by-layer calibration as in the SparseGPT/Wanda reference code: the statistics of layer l's inputs are
 * computed by running the calibration windows through layers 0..l of the {@link WorkingWeights} as they are
 * now — so after a method has rewritten layers 0..l−1, layer l sees their outputs, not the original ones. All
 * four input groups of layer l are collected in one pass with layer l still unchanged (the reference code
 * prunes all of a layer's matrices from the same inputs).
 *
 * <p>Each call re-runs the first l layers (cost grows as L²/2 layer passes over the whole model, instead of
 * caching hidden states): simple, and the forward pass stays the model's own.
 */
public final class SequentialCalibration {
    private final WorkingWeights weights;
    private final CalibrationSet set;
    private final Kernels kernels;
    private final WorkerPool pool;

    public SequentialCalibration(WorkingWeights weights, CalibrationSet set, Kernels kernels, WorkerPool pool) {
        this.weights = weights;
        this.set = set;
        this.kernels = kernels;
        this.pool = pool;
    }

    public CalibrationSet set() {
        return set;
    }

    /** Statistics of every input group of {@code layer}; with {@code withGram} also XᵀX. */
    public Map<InputGroup, InputStatistics> collect(int layer, boolean withGram) {
        LlamaConfig c = weights.config();
        Map<InputGroup, InputStatistics> stats = new EnumMap<>(InputGroup.class);
        stats.put(InputGroup.ATTN_IN, new InputStatistics(c.hiddenSize(), withGram));
        stats.put(InputGroup.ATTN_OUT, new InputStatistics(c.queryDim(), withGram));
        stats.put(InputGroup.FFN_IN, new InputStatistics(c.hiddenSize(), withGram));
        stats.put(InputGroup.FFN_OUT, new InputStatistics(c.intermediateSize(), withGram));
        LlamaModel model = weights.truncated(layer + 1, false, kernels, pool);
        model.setActivationObserver(new LayerInputCollector(layer, stats, kernels, pool));
        int n = set.seqLen();
        for (int[] window : set.windows()) {
            ForwardState state = model.newState(n, n);
            model.forward(state, window, 0, n, 0, false);
        }
        return stats;
    }

    /**
     * The RMS-normalized hidden state entering each layer and leaving the last, per calibration token:
     * result[k] = rows [samples·seqLen][d] of the residual stream before layer k (k = numLayers: after the
     * last). Normalizing changes no cosine, which is all block influence needs.
     */
    public float[][] normalizedHiddenStates() {
        LlamaConfig c = weights.config();
        int d = c.hiddenSize();
        int n = set.seqLen();
        float[][] out = new float[c.numLayers() + 1][set.samples() * n * d];
        for (int k = 0; k <= c.numLayers(); k++) {
            float[] dst = out[k];
            if (k == 0) {
                float[] row = new float[d];
                for (int s = 0; s < set.samples(); s++) {
                    for (int t = 0; t < n; t++) {
                        weights.weights().tokenEmbedding().readRow(set.windows()[s][t], row, 0);
                        System.arraycopy(row, 0, dst, (s * n + t) * d, d);
                    }
                }
                continue;
            }
            LlamaModel model = weights.truncated(k, true, kernels, pool);
            int[] sample = {0};
            model.setActivationObserver((l, w, x, rows, cols) -> {
                if (l == -1) {
                    System.arraycopy(x, 0, dst, sample[0] * n * d, rows * cols);
                }
            });
            for (int s = 0; s < set.samples(); s++) {
                sample[0] = s;
                ForwardState state = model.newState(n, n);
                model.forward(state, set.windows()[s], 0, n, 0, true);
            }
        }
        return out;
    }
}
