package io.llmopt.compress.calib;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.compress.prune.StructuredTestModels;
import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The one-layer-at-a-time propagation equals running the first k layers of the real model: the hidden state
 * after k layers, RMS-normalized, is what the output projection of a k-layer model sees (final norm set to 1).
 */
class SequentialCalibrationTest {

    @Test
    void propagatedHiddenStatesMatchTheTruncatedModel() {
        LlamaConfig c = StructuredTestModels.config();
        LlamaWeights w = StructuredTestModels.weights(c, 21);
        CalibrationSet set = StructuredTestModels.calibration(c, 2, 12, 4);
        WorkerPool pool = new WorkerPool(1);
        try {
            WorkingWeights work = new WorkingWeights(c, w);
            float[][] hidden = new SequentialCalibration(work, set, KernelProvider.get(), pool).hiddenStates();
            int d = c.hiddenSize();
            int n = set.seqLen();
            for (int k = 1; k <= c.numLayers(); k++) {
                LlamaModel model = work.truncated(k, true, KernelProvider.get(), pool);
                float[] seen = new float[n * d];
                model.setActivationObserver((l, weight, x, rows, cols) -> {
                    if (l == -1) {
                        System.arraycopy(x, 0, seen, 0, rows * cols);
                    }
                });
                for (int s = 0; s < set.samples(); s++) {
                    ForwardState st = model.newState(n, n);
                    model.forward(st, set.windows()[s], 0, n, 0, true);
                    for (int t = 0; t < n; t++) {
                        double ss = 0;
                        int off = (s * n + t) * d;
                        for (int i = 0; i < d; i++) {
                            ss += (double) hidden[k][off + i] * hidden[k][off + i];
                        }
                        double inv = 1 / Math.sqrt(ss / d + c.rmsNormEps());
                        for (int i = 0; i < d; i++) {
                            assertThat(hidden[k][off + i] * inv).as("depth " + k + " token " + t)
                                    .isCloseTo(seen[t * d + i], Offset.offset(1e-4));
                        }
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}
