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
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.tensor.quant.Codecs;
import io.llmopt.testkit.SharedData;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A pruned real model (ref-tinystories, magnitude 50 % and 2:4) runs with {@code --sparse auto} as it runs
 * dense: with the GGUF-layout kernels every prefill logit has the same bits, in F32 and converted to F16; with
 * the default kernels (dense matrices in the column-panel form) the logits agree within 1e-3 and the greedy
 * tokens are the same. Also: nothing is repacked in an unpruned model, and bad modes are refused.
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

    /**
     * The bitmap-sparse kernels follow the GGUF-layout dense arithmetic, so with execution forms off
     * (kernels whose {@code prepare} is the identity) sparse and dense give the same bits. With the default
     * kernels the dense matrices run the column-panel form, which sums in another order: the logits then
     * agree to a small tolerance and the greedy tokens are the same.
     */
    private static void compare(LoadedModel m, LlamaWeights dense, LlamaWeights sparse, String what) {
        WorkerPool pool = new WorkerPool(2);
        try {
            Kernels k = KernelProvider.get();
            Kernels ggufLayout = new Kernels() {
                @Override
                public String name() {
                    return k.name() + "-gguf-layout";
                }

                @Override
                public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
                    return k.dot(a, aOffset, b, bOffset, n);
                }

                @Override
                public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
                    k.axpy(alpha, x, xOffset, y, yOffset, n);
                }

                @Override
                public float dotRow(Tensor w, long row, float[] x, int xOffset, float[] scratch) {
                    return k.dotRow(w, row, x, xOffset, scratch);
                }

                @Override
                public void matmul(Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset, WorkerPool p) {
                    k.matmul(w, x, xOffset, batch, out, outOffset, p);
                }
            };
            float[] ld = prefill(new LlamaModel(m.config(), dense, ggufLayout, pool));
            float[] ls = prefill(new LlamaModel(m.config(), sparse, ggufLayout, pool));
            assertBits(ls, ld, what + " prefill logits");
            LlamaModel d = new LlamaModel(m.config(), dense, k, pool);
            LlamaModel s = new LlamaModel(m.config(), sparse, k, pool);
            float[] lp = prefill(d);
            float[] lq = prefill(s);
            for (int i = 0; i < lp.length; i++) {
                assertThat(lq[i]).as(what + " prefill logit " + i + " (default kernels)").isCloseTo(lp[i], org.assertj.core.data.Offset.offset(1e-3f));
            }
            GenerationRequest req = GenerationRequest.of(PROMPT, 24, SamplingParams.greedy());
            GenerationResult gd = new Generator(d, m.tokenizer()).generate(req, 64, t -> { });
            GenerationResult gs = new Generator(s, m.tokenizer()).generate(req, 64, t -> { });
            assertThat(gs.tokens()).as(what + " greedy tokens").containsExactly(gd.tokens());
            assertThat(gd.tokens()).hasSizeGreaterThan(4);
        } finally {
            pool.shutdown();
        }
    }

    private static float[] prefill(LlamaModel model) {
        return model.forward(model.newState(PROMPT.length, PROMPT.length), PROMPT, 0, PROMPT.length, 0, true).clone();
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
