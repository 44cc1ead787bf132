package io.llmopt.compress.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tokenizer.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whole-model pruning on a tiny random model: sparsity 0, N:M, global threshold, determinism, bad input. */
class ModelPrunerTest {
    private static final LlamaConfig C = TinyModels.config();
    private static final LlamaWeights W = TinyModels.weights(C, 7);
    private static final CalibrationSet CAL = TinyModels.calibration(C, 4, 32, 3);
    private static final int[] PROBE = {1, 5, 9, 17, 33, 2, 64, 80};

    @Test
    void sparsityZeroLeavesLogitsUnchanged() {
        float[] base = TinyModels.logits(C, W, PROBE);
        for (PruneMethod m : PruneMethod.values()) {
            ModelPruner.Result r = ModelPruner.prune(C, W, CAL, TinyModels.options(m, SparsityPattern.unstructured(0)), PruneListener.NONE);
            // weights bit-identical; logits equal up to the vector kernels' reduction order (JIT vs interpreter)
            assertSameWeights(W, r.weights());
            assertThat(TinyModels.logits(C, r.weights(), PROBE)).as(m.cliName()).containsExactly(base, org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(r.report().sparsity()).isZero();
            assertThat(r.report().matrices()).allSatisfy(x -> assertThat(x.relativeError()).isZero());
        }
    }

    @Test
    void nmOutputsHaveExactlyNNonZerosPerGroup() {
        for (String nm : List.of("2:4", "4:8")) {
            SparsityPattern p = SparsityPattern.parseNm(nm);
            for (PruneMethod m : List.of(PruneMethod.MAGNITUDE, PruneMethod.WANDA, PruneMethod.SPARSEGPT)) {
                ModelPruner.Result r = ModelPruner.prune(C, W, CAL, TinyModels.options(m, p), PruneListener.NONE);
                for (var layer : r.weights().layers()) {
                    for (Tensor t : List.of(layer.wq(), layer.wk(), layer.wv(), layer.wo(), layer.gate(), layer.up(), layer.down())) {
                        float[] v = t.toFloatArray();
                        int rows = (int) t.dim(0);
                        int cols = (int) t.dim(1);
                        assertThat(NmCheck.violations(v, rows, cols, p.n(), p.m())).as(m + " " + nm + " " + t.name()).isZero();
                        assertThat(NmCheck.exactFraction(v, rows, cols, p.n(), p.m())).as(m + " " + nm).isEqualTo(1.0);
                    }
                }
                assertThat(r.report().matrices()).allSatisfy(x -> assertThat(x.nmViolations()).isZero());
                assertThat(r.report().sparsity()).isCloseTo(1 - (double) p.n() / p.m(), org.assertj.core.data.Offset.offset(1e-12));
            }
        }
    }

    @Test
    void nmCheckCountsBadGroups() {
        float[] w = {1, 0, 2, 0, /* ok */ 1, 1, 1, 0, /* bad */ 0, 0, 0, 0, /* ok (fewer) */ 3, 0, 0, 4 /* ok */};
        assertThat(NmCheck.violations(w, 2, 8, 2, 4)).isEqualTo(1);
        assertThat(NmCheck.exactFraction(w, 2, 8, 2, 4)).isEqualTo(0.5);
    }

    @Test
    void globalMagnitudeUsesOneThresholdOverAllMatrices() {
        double s = 0.6;
        ModelPruner.Result r = ModelPruner.prune(C, W, CAL, TinyModels.options(PruneMethod.GLOBAL_MAGNITUDE,
                SparsityPattern.unstructured(s)), PruneListener.NONE);
        double maxPruned = 0;
        double minKept = Double.MAX_VALUE;
        long pruned = 0;
        long total = 0;
        for (int l = 0; l < C.numLayers(); l++) {
            for (PrunableMatrix pm : PrunableMatrix.values()) {
                float[] before = pm.of(W.layers().get(l)).toFloatArray();
                float[] after = pm.of(r.weights().layers().get(l)).toFloatArray();
                for (int i = 0; i < before.length; i++) {
                    if (after[i] == 0) {
                        maxPruned = Math.max(maxPruned, Math.abs(before[i]));
                        pruned++;
                    } else {
                        assertThat(after[i]).isEqualTo(before[i]);
                        minKept = Math.min(minKept, Math.abs(before[i]));
                    }
                }
                total += before.length;
            }
        }
        assertThat(pruned).isEqualTo(Math.round(s * total));
        assertThat(maxPruned).isLessThanOrEqualTo(minKept);
        // per-layer sparsities differ (one global threshold), unlike per-matrix magnitude
        assertThat(r.report().matrices().stream().mapToDouble(PruneReport.MatrixReport::sparsity).distinct().count()).isGreaterThan(1);
    }

    @Test
    void deterministicAndSkipsMatchedMatrices() {
        PruneOptions o = new PruneOptions(PruneMethod.SPARSEGPT, SparsityPattern.unstructured(0.5), List.of("blk\\.1\\.ffn_"), 32, 0.01, 2);
        ModelPruner.Result a = ModelPruner.prune(C, W, CAL, o, PruneListener.NONE);
        ModelPruner.Result b = ModelPruner.prune(C, W, CAL, o, PruneListener.NONE);
        assertSameWeights(a.weights(), b.weights());
        assertThat(a.report().matrices()).filteredOn(PruneReport.MatrixReport::skipped).extracting(PruneReport.MatrixReport::name)
                .containsExactly("blk.1.ffn_gate.weight", "blk.1.ffn_up.weight", "blk.1.ffn_down.weight");
        assertThat(a.weights().layers().get(1).up()).isSameAs(W.layers().get(1).up());
        assertThat(a.report().matrices()).filteredOn(x -> !x.skipped())
                .allSatisfy(x -> assertThat(x.sparsity()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.02)));
    }

    @Test
    void laterLayersAreCalibratedOnPrunedOutputs() {
        // SparseGPT's error on layer 1 must be measured on inputs from the pruned layer 0: pruning layer 0
        // harder changes layer 1's report even when layer 1 itself is skipped.
        PruneOptions light = new PruneOptions(PruneMethod.MAGNITUDE, SparsityPattern.unstructured(0.1), List.of(), 32, 0.01, 1);
        PruneOptions heavy = new PruneOptions(PruneMethod.MAGNITUDE, SparsityPattern.unstructured(0.9), List.of(), 32, 0.01, 1);
        double e1 = ModelPruner.prune(C, W, CAL, light, PruneListener.NONE).report().matrices().get(7).relativeError();
        double e2 = ModelPruner.prune(C, W, CAL, heavy, PruneListener.NONE).report().matrices().get(7).relativeError();
        assertThat(e2).isGreaterThan(e1);
    }

    @Test
    void calibrationWindowsDependOnlyOnTheSeed() {
        Tokenizer tok = io.llmopt.tokenizer.Tokenizers.fromGguf(io.llmopt.model.export.SyntheticVocabulary.gguf(300));
        String text = "Once upon a time there was a little fox who liked to run in the forest. ".repeat(200);
        CalibrationSet a = CalibrationSet.sample(tok, text, "t", 6, 40, 42);
        CalibrationSet b = CalibrationSet.sample(tok, text, "t", 6, 40, 42);
        CalibrationSet c = CalibrationSet.sample(tok, text, "t", 6, 40, 43);
        assertThat(java.util.Arrays.deepEquals(a.windows(), b.windows())).isTrue();
        assertThat(java.util.Arrays.deepEquals(a.windows(), c.windows())).isFalse();
        for (int[] w : a.windows()) {
            assertThat(w).hasSize(40).startsWith(tok.bos().getAsInt());
        }
    }

    @Test
    void badInputIsAOneLineError() {
        assertThatThrownBy(() -> SparsityPattern.unstructured(1.0)).isInstanceOf(LlmoptException.class).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> SparsityPattern.unstructured(-0.1)).isInstanceOf(LlmoptException.class).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> SparsityPattern.parseNm("4:4")).isInstanceOf(LlmoptException.class).hasMessageContaining("N < M");
        assertThatThrownBy(() -> SparsityPattern.parseNm("5:4")).isInstanceOf(LlmoptException.class).hasMessageContaining("N < M");
        assertThatThrownBy(() -> ModelPruner.prune(C, W, CAL, new PruneOptions(PruneMethod.WANDA, SparsityPattern.unstructured(0.5),
                List.of("blk\\.9\\."), 32, 0.01, 1), PruneListener.NONE))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("matches no prunable matrix");
        Tokenizer tok = io.llmopt.tokenizer.Tokenizers.fromGguf(io.llmopt.model.export.SyntheticVocabulary.gguf(300));
        assertThatThrownBy(() -> CalibrationSet.sample(tok, "too short", "calib.txt", 4, 128, 1))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("shorter than one sample");
    }

    static void assertSameWeights(LlamaWeights a, LlamaWeights b) {
        for (int l = 0; l < a.layers().size(); l++) {
            for (PrunableMatrix pm : PrunableMatrix.values()) {
                assertThat(pm.of(b.layers().get(l)).toFloatArray()).as(pm.ggufName(l)).containsExactly(pm.of(a.layers().get(l)).toFloatArray());
            }
        }
    }
}
