package io.llmopt.compress.prune;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.SparseWeights;
import io.llmopt.model.generate.GenerationRequest;
import io.llmopt.model.generate.GenerationResult;
import io.llmopt.model.generate.Generator;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.tensor.quant.Codecs;
import io.llmopt.testkit.SharedData;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pruned real model (ref-tinystories, magnitude 50 % and 2:4) runs with {@code --sparse auto} exactly as it
 * runs dense: every prefill logit and every greedy-decoded token's logits have the same bits, in F32 and
 * converted to F16. Also: nothing is repacked in an unpruned model, and bad modes are refused.
 */
class SparseExecutionTest {
    private static final int[] PROMPT = {1, 403, 407, 261, 378, 300, 268, 286, 2, 350, 277};

    @Test
    void prunedModelGivesTheSameBitsWithSparseExecution() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf"));
                Arena arena = Arena.ofShared()) {
            CalibrationSet cal = TinyModels.calibration(m.config(), 1, 8, 1);
            for (SparsityPattern p : List.of(SparsityPattern.unstructured(0.5), SparsityPattern.parseNm("2:4"))) {
                LlamaWeights pruned = ModelPruner.prune(m.config(), m.weights(), cal,
                        TinyModels.options(PruneMethod.MAGNITUDE, p), PruneListener.NONE).weights();
                for (GgmlType type : List.of(GgmlType.F32, GgmlType.F16)) {
                    LlamaWeights dense = type == GgmlType.F32 ? pruned : toType(pruned, type, arena);
                    SparseWeights.Result r = SparseWeights.apply(dense, SparseWeights.Mode.AUTO);
                    String what = p + " " + type;
                    assertThat(r.repacked()).as(what).hasSize(7 * m.config().numLayers());
                    assertThat(r.repacked()).allSatisfy(x -> assertThat(x.sparsity()).as(what).isGreaterThanOrEqualTo(0.5));
                    assertThat(r.sparseBytes()).as(what).isLessThan(r.denseBytes() * 3 / 4);
                    assertThat(r.weights().layers().get(0).gate().sparse()).isNotNull();
                    assertThat(r.weights().tokenEmbedding().sparse()).isNull();
                    compare(m, dense, r.weights(), what);
                }
            }
        }
    }

    @Test
    void anUnprunedModelStaysDenseAndOffChangesNothing() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"))) {
            SparseWeights.Result auto = SparseWeights.apply(m.weights(), SparseWeights.Mode.AUTO);
            assertThat(auto.repacked()).isEmpty();
            assertThat(auto.summary()).contains("running dense");
            SparseWeights.Result off = SparseWeights.apply(m.weights(), SparseWeights.Mode.OFF);
            assertThat(off.weights()).isSameAs(m.weights());
            // a threshold every matrix passes: all matrices (not the embedding) repacked, tied output kept as is
            SparseWeights.Result all = SparseWeights.apply(m.weights(), 10.0);
            assertThat(all.repacked()).hasSize(7 * m.config().numLayers() + (m.weights().output() == m.weights().tokenEmbedding() ? 0 : 1));
            assertThat(all.groups()).first().asString().startsWith("blk.*.attn_q.weight: 5 x");
        }
        assertThatThrownBy(() -> SparseWeights.Mode.parse("on")).isInstanceOf(LlmoptException.class).hasMessageContaining("auto or off");
        assertThat(SparseWeights.Mode.parse("AUTO")).isEqualTo(SparseWeights.Mode.AUTO);
    }

    private static void compare(LoadedModel m, LlamaWeights dense, LlamaWeights sparse, String what) {
        WorkerPool pool = new WorkerPool(2);
        try {
            LlamaModel d = new LlamaModel(m.config(), dense, KernelProvider.get(), pool);
            LlamaModel s = new LlamaModel(m.config(), sparse, KernelProvider.get(), pool);
            float[] ld = d.forward(d.newState(PROMPT.length, PROMPT.length), PROMPT, 0, PROMPT.length, 0, true).clone();
            float[] ls = s.forward(s.newState(PROMPT.length, PROMPT.length), PROMPT, 0, PROMPT.length, 0, true).clone();
            assertBits(ls, ld, what + " prefill logits");
            GenerationRequest req = GenerationRequest.of(PROMPT, 24, SamplingParams.greedy());
            GenerationResult gd = new Generator(d, m.tokenizer()).generate(req, 64, t -> { });
            GenerationResult gs = new Generator(s, m.tokenizer()).generate(req, 64, t -> { });
            assertThat(gs.tokens()).as(what + " greedy tokens").containsExactly(gd.tokens());
            assertThat(gd.tokens()).hasSizeGreaterThan(4);
        } finally {
            pool.shutdown();
        }
    }

    private static void assertBits(float[] got, float[] want, String what) {
        assertThat(got.length).isEqualTo(want.length);
        for (int i = 0; i < got.length; i++) {
            if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(want[i])) {
                throw new AssertionError(what + ": index " + i + " got " + got[i] + ", dense " + want[i]);
            }
        }
    }

    /** The weights with every projection matrix converted to {@code type} (the embedding stays as it is). */
    private static LlamaWeights toType(LlamaWeights w, GgmlType type, Arena arena) {
        List<LayerWeights> layers = new ArrayList<>();
        for (LayerWeights l : w.layers()) {
            layers.add(new LayerWeights(l.attnNorm(), to(l.wq(), type, arena), to(l.wk(), type, arena), to(l.wv(), type, arena),
                    to(l.wo(), type, arena), l.bq(), l.bk(), l.bv(), l.ffnNorm(), to(l.gate(), type, arena),
                    to(l.up(), type, arena), to(l.down(), type, arena)));
        }
        return new LlamaWeights(w.tokenEmbedding(), layers, w.outputNorm(), w.output());
    }

    private static Tensor to(Tensor t, GgmlType type, Arena arena) {
        float[] v = t.toFloatArray();
        MemorySegment seg = arena.allocate(type.byteSize(v.length), 64);
        Codecs.of(type).quantize(v, 0, v.length, seg, 0);
        return new Tensor(t.name(), type, t.shape(), seg);
    }
}
