package io.llmopt.compress.prune.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.compress.calib.DenseMatrix;
import io.llmopt.compress.prune.StructuredTestModels;
import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The smaller dense model computes exactly what the original computes with the removed structures masked out
 * (their contribution zeroed in the full-size model): heads = W_o columns of the removed query heads zeroed,
 * neurons = W_down columns zeroed, layers = the block's W_o and W_down zeroed (the block becomes the identity).
 */
class StructuredPrunerTest {
    private static final LlamaConfig C = StructuredTestModels.config();
    private static final LlamaWeights W = StructuredTestModels.weights(C, 11);
    private static final CalibrationSet CAL = StructuredTestModels.calibration(C, 3, 24, 5);
    private static final int[] PROBE = {1, 4, 8, 15, 16, 23, 42, 77, 90};

    private static Tensor zeroColumns(Tensor t, int[] columns) {
        DenseMatrix m = DenseMatrix.of(t);
        for (int r = 0; r < m.rows(); r++) {
            for (int c : columns) {
                m.values()[r * m.cols() + c] = 0f;
            }
        }
        return m.toTensor();
    }

    private static void assertSameLogits(LlamaConfig small, LlamaWeights pruned, List<LayerWeights> masked) {
        float[] expected = StructuredTestModels.logits(C, new LlamaWeights(W.tokenEmbedding(), masked, W.outputNorm(), W.output()), PROBE);
        float[] actual = StructuredTestModels.logits(small, pruned, PROBE);
        assertThat(actual).containsExactly(expected, Offset.offset(2e-5f));
        float[] original = StructuredTestModels.logits(C, W, PROBE);
        double diff = 0;
        for (int i = 0; i < original.length; i++) {
            diff = Math.max(diff, Math.abs(original[i] - actual[i]));
        }
        assertThat(diff).as("pruning changed something").isGreaterThan(1e-3);
    }

    @Test
    void headsEqualMaskedHeads() {
        StructuredPruner.Result r = StructuredPruner.prune(C, W, CAL, new StructuredTarget(StructuredTarget.Kind.HEADS, 0.5), 1, s -> { });
        assertThat(r.config().numKvHeads()).isEqualTo(1);
        assertThat(r.config().numHeads()).isEqualTo(2);
        List<LayerWeights> masked = new ArrayList<>();
        for (int l = 0; l < C.numLayers(); l++) {
            LayerWeights lw = W.layers().get(l);
            int[] groups = r.report().layers().get(l).removed();
            int[] cols = Slicing.expand(groups, C.groupSize() * C.headDim());
            masked.add(new LayerWeights(lw.attnNorm(), lw.wq(), lw.wk(), lw.wv(), zeroColumns(lw.wo(), cols), lw.bq(), lw.bk(), lw.bv(),
                    lw.ffnNorm(), lw.gate(), lw.up(), lw.down()));
        }
        assertSameLogits(r.config(), r.weights(), masked);
    }

    @Test
    void neuronsEqualMaskedNeurons() {
        StructuredPruner.Result r = StructuredPruner.prune(C, W, CAL, new StructuredTarget(StructuredTarget.Kind.NEURONS, 0.25), 1, s -> { });
        assertThat(r.config().intermediateSize()).isEqualTo(96);
        List<LayerWeights> masked = new ArrayList<>();
        for (int l = 0; l < C.numLayers(); l++) {
            LayerWeights lw = W.layers().get(l);
            assertThat(r.report().layers().get(l).removed()).hasSize(32);
            masked.add(new LayerWeights(lw.attnNorm(), lw.wq(), lw.wk(), lw.wv(), lw.wo(), lw.bq(), lw.bk(), lw.bv(),
                    lw.ffnNorm(), lw.gate(), lw.up(), zeroColumns(lw.down(), r.report().layers().get(l).removed())));
        }
        assertSameLogits(r.config(), r.weights(), masked);
    }

    @Test
    void layerRemovalEqualsSkippingTheBlock() {
        StructuredPruner.Result r = StructuredPruner.prune(C, W, CAL, new StructuredTarget(StructuredTarget.Kind.LAYERS, 0.3), 1, s -> { });
        assertThat(r.config().numLayers()).isEqualTo(C.numLayers() - 1);
        List<LayerWeights> masked = new ArrayList<>();
        int removed = -1;
        for (int l = 0; l < C.numLayers(); l++) {
            LayerWeights lw = W.layers().get(l);
            if (r.report().layers().get(l).removed().length > 0) {
                removed = l;
                int[] all = new int[Math.max(C.queryDim(), C.intermediateSize())];
                java.util.Arrays.setAll(all, i -> i);
                lw = new LayerWeights(lw.attnNorm(), lw.wq(), lw.wk(), lw.wv(), zeroColumns(lw.wo(), java.util.Arrays.copyOf(all, C.queryDim())),
                        lw.bq(), lw.bk(), lw.bv(), lw.ffnNorm(), lw.gate(), lw.up(), zeroColumns(lw.down(), java.util.Arrays.copyOf(all, C.intermediateSize())));
            }
            masked.add(lw);
        }
        assertThat(removed).isNotNegative();
        // the removed layer is the one with the lowest block influence
        double min = r.report().layers().stream().mapToDouble(e -> e.scores()[0]).min().orElseThrow();
        assertThat(r.report().layers().get(removed).scores()[0]).isEqualTo(min);
        assertSameLogits(r.config(), r.weights(), masked);
    }

    @Test
    void badRatios() {
        assertThatThrownBy(() -> StructuredTarget.parse("heads", 1.0)).isInstanceOf(LlmoptException.class).hasMessageContaining("(0, 1)");
        assertThatThrownBy(() -> StructuredTarget.parse("rows", 0.5)).isInstanceOf(LlmoptException.class).hasMessageContaining("heads, neurons or layers");
        assertThatThrownBy(() -> StructuredPruner.prune(C, W, CAL, new StructuredTarget(StructuredTarget.Kind.HEADS, 0.9), 1, s -> { }))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("would remove all");
    }
}
