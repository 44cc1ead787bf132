package io.llmopt.compress.prune;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.compress.calib.DenseMatrix;
import io.llmopt.compress.calib.WorkingWeights;
import io.llmopt.model.ActivationObserver.Weight;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Wanda through the whole pipeline, checked against activations taken independently of
 * {@code SequentialCalibration}: for every layer l, the real model with layers 0..l−1 as ModelPruner left them
 * (pruned) and layer l as it was is run over the calibration windows, and Σ_tokens x_j² is summed for each of
 * the seven matrices from the input the model hands that very matrix (q/k/v: the attention-normed state; o: the
 * attention output; gate/up: the ffn-normed state; down: the SwiGLU output). In each output row of W [out][in]
 * the pruned weights must then be exactly floor(s·in) of those with the lowest |W_ij|·‖X_j‖₂ (ties at the
 * threshold tolerated). Catches a wrong input group, a wrong orientation (column j = input feature j), norms
 * over part of the tokens, or calibration on unpruned predecessors.
 */
class WandaEndToEndTest {

    @Test
    void everyRowKeepsTheLargestWeightTimesInputNorm() {
        LlamaConfig c = TinyModels.config();
        LlamaWeights w = TinyModels.weights(c, 11);
        CalibrationSet set = TinyModels.calibration(c, 3, 24, 5);
        double s = 0.5;
        ModelPruner.Result r = ModelPruner.prune(c, w, set, TinyModels.options(PruneMethod.WANDA, SparsityPattern.unstructured(s)),
                PruneListener.NONE);
        WorkerPool pool = new WorkerPool(1);
        try {
            for (int l = 0; l < c.numLayers(); l++) {
                Map<Weight, double[]> sq = inputSquares(c, w, r.weights(), set, l, pool);
                int differsFromMagnitude = 0;
                for (PrunableMatrix pm : PrunableMatrix.values()) {
                    float[] before = DenseMatrix.of(pm.of(w.layers().get(l))).values();
                    DenseMatrix after = DenseMatrix.of(pm.of(r.weights().layers().get(l)));
                    double[] x2 = sq.get(pm.weight);
                    int rows = after.rows();
                    int cols = after.cols();
                    assertThat(x2).as(pm.ggufName(l) + " input width").hasSize(cols);
                    int k = (int) Math.floor(s * cols);
                    for (int i = 0; i < rows; i++) {
                        double maxPruned = -1;
                        double minKept = Double.MAX_VALUE;
                        double maxPrunedMagnitude = -1;
                        double minKeptMagnitude = Double.MAX_VALUE;
                        int pruned = 0;
                        for (int j = 0; j < cols; j++) {
                            double a = Math.abs(before[i * cols + j]);
                            double score = a * Math.sqrt(x2[j]);
                            if (after.get(i, j) == 0f) {
                                pruned++;
                                maxPruned = Math.max(maxPruned, score);
                                maxPrunedMagnitude = Math.max(maxPrunedMagnitude, a);
                            } else {
                                assertThat(after.get(i, j)).isEqualTo(before[i * cols + j]);
                                minKept = Math.min(minKept, score);
                                minKeptMagnitude = Math.min(minKeptMagnitude, a);
                            }
                        }
                        assertThat(pruned).as(pm.ggufName(l) + " row " + i).isEqualTo(k);
                        assertThat(maxPruned).as(pm.ggufName(l) + " row " + i).isLessThanOrEqualTo(minKept * (1 + 1e-5));
                        if (maxPrunedMagnitude > minKeptMagnitude) {
                            differsFromMagnitude++;
                        }
                    }
                }
                // the activation norms vary enough that Wanda is not per-row magnitude here (so the test has power)
                assertThat(differsFromMagnitude).as("layer " + l + " rows where Wanda ≠ per-row magnitude").isGreaterThan(0);
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Σ over all calibration tokens of x_j² for each matrix of layer l, from the real (l+1)-layer model. */
    private static Map<Weight, double[]> inputSquares(LlamaConfig c, LlamaWeights original, LlamaWeights pruned, CalibrationSet set,
            int l, WorkerPool pool) {
        WorkingWeights work = new WorkingWeights(c, original);
        for (int k = 0; k < l; k++) {
            work.setLayer(k, pruned.layers().get(k));
        }
        LlamaModel model = work.truncated(l + 1, false, KernelProvider.get(), pool);
        Map<Weight, double[]> sq = new EnumMap<>(Weight.class);
        model.setActivationObserver((layer, weight, x, rows, cols) -> {
            if (layer != l) {
                return;
            }
            double[] acc = sq.computeIfAbsent(weight, k -> new double[cols]);
            for (int t = 0; t < rows; t++) {
                for (int j = 0; j < cols; j++) {
                    double v = x[t * cols + j];
                    acc[j] += v * v;
                }
            }
        });
        int n = set.seqLen();
        for (int[] window : set.windows()) {
            model.forward(model.newState(n, n), window, 0, n, 0, false);
        }
        return sq;
    }
}
