package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.export.ExportTensor;
import io.llmopt.model.export.GgufModelWriter;
import io.llmopt.model.export.HfModelWriter;
import io.llmopt.model.export.RandomTensors;
import io.llmopt.model.export.SyntheticVocabulary;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mistral's sliding window and Qwen2's q/k/v biases + rotate-half GGUF layout, on small random models. */
class ArchitectureVariantsTest {
    private static final WorkerPool POOL = new WorkerPool(2);

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    private static LlamaConfig config(String arch, int layers, boolean bias, RopeLayout layout, int window) {
        return new LlamaConfig(arch, 64, 96, layers, 4, 2, 16, 300, 1e-5f, 10000, 16, layout, RopeScaling.NONE, 64,
                false, bias, window);
    }

    private LlamaModel gguf(LlamaConfig c, String name, long seed) {
        Path p = dir.resolve(name + ".gguf");
        GgufModelWriter.write(p, name, c, scaled(RandomTensors.of(c, TensorNames.GGUF, seed)), GgmlType.F32, SyntheticVocabulary.gguf(c.vocabSize()));
        LoadedModel m = ModelLoader.load(p);
        return new LlamaModel(m.config(), m.weights(), KernelProvider.get(), POOL);
    }

    /** Random weights ×25 (std 0.5) so that logits are far from uniform and differences are visible. */
    private static List<ExportTensor> scaled(List<ExportTensor> tensors) {
        return tensors.stream().map(t -> t.shape().length == 1 ? t
                : new ExportTensor(t.name(), t.shape(), (row, dst) -> {
                    t.rows().row(row, dst);
                    for (int i = 0; i < t.cols(); i++) {
                        dst[i] *= 25f;
                    }
                })).toList();
    }

    private static double maxDiff(float[] x, float[] y) {
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            m = Math.max(m, Math.abs(x[i] - y[i]));
        }
        return m;
    }

    private static float[] logitsAt(LlamaModel m, int[] tokens, int position) {
        return m.forward(m.newState(tokens.length, tokens.length), tokens, 0, position + 1, 0, false).clone();
    }

    @Test
    void slidingWindowLimitsWhatOneLayerSees() {
        int window = 4;
        LlamaModel m = gguf(config("mistral", 1, false, RopeLayout.INTERLEAVED, window), "mistral", 1);
        assertThat(m.config().slidingWindow()).isEqualTo(window);
        int[] a = {1, 10, 20, 30, 40, 50, 60, 70, 80, 90};
        int[] b = a.clone();
        b[1] = 11; // outside the window of position 9 (which sees positions 6..9)
        b[3] = 33;
        // float summation order may differ between JIT tiers (~1e-6); a real dependence moves logits by O(1)
        assertThat(maxDiff(logitsAt(m, b, 9), logitsAt(m, a, 9))).isLessThan(1e-4);
        int[] c = a.clone();
        c[7] = 77; // inside the window: must change the result
        assertThat(maxDiff(logitsAt(m, c, 9), logitsAt(m, a, 9))).isGreaterThan(0.1);
        LlamaModel full = gguf(config("llama", 1, false, RopeLayout.INTERLEAVED, 0), "full", 1);
        assertThat(maxDiff(logitsAt(full, b, 9), logitsAt(full, a, 9))).isGreaterThan(0.1); // without a window it does
    }

    @Test
    void llama3ScalingAsGgufFactorTensorEqualsHfRopeScaling() throws Exception {
        // short original context so that the scaling changes every frequency band at these positions
        LlamaConfig c = new LlamaConfig("llama", 64, 96, 2, 4, 2, 16, 300, 1e-5f, 10000, 16, RopeLayout.INTERLEAVED,
                RopeScaling.llama3(8, 1, 4, 32), 64, false, false, 0);
        Path g = dir.resolve("l3.gguf");
        GgufModelWriter.write(g, "l3", c, scaled(RandomTensors.of(c, TensorNames.GGUF, 9)), GgmlType.F32, SyntheticVocabulary.gguf(300));
        Path h = dir.resolve("l3-hf");
        HfModelWriter.write(h, HfModelWriter.config(c, 1, List.of(2), GgmlType.F32), scaled(RandomTensors.of(c, TensorNames.HF, 9)), GgmlType.F32);
        LoadedModel lg = ModelLoader.load(g);
        LoadedModel lh = ModelLoader.load(h, g);
        assertThat(lg.config().ropeScaling().type()).isEqualTo(RopeScaling.Type.FACTORS);
        assertThat(lh.config().ropeScaling().type()).isEqualTo(RopeScaling.Type.LLAMA3);
        // the random weights are the same values under both namings, but HF's q/k rows are in the other RoPE order:
        // compare against the GGUF model converted to HF layout instead
        Path h2 = dir.resolve("l3-from-gguf");
        HfModelWriter.write(h2, HfModelWriter.config(lh.config(), 1, List.of(2), GgmlType.F32),
                io.llmopt.model.export.ModelTensors.of(lg.config(), lg.weights(), TensorNames.HF, RopeLayout.HALF), GgmlType.F32);
        LoadedModel lh2 = ModelLoader.load(h2, g);
        int[] tokens = {1, 7, 99, 250, 3, 18, 77, 41, 200, 5, 6, 9, 12, 150, 31, 60, 61, 62, 63, 64};
        float[] a = logitsAt(new LlamaModel(lg.config(), lg.weights(), KernelProvider.get(), POOL), tokens, tokens.length - 1);
        float[] b = logitsAt(new LlamaModel(lh2.config(), lh2.weights(), KernelProvider.get(), POOL), tokens, tokens.length - 1);
        assertThat(maxDiff(a, b)).isLessThan(1e-4);
        LlamaConfig unscaled = lg.config().withRopeScaling(RopeScaling.NONE);
        float[] u = logitsAt(new LlamaModel(unscaled, lg.weights(), KernelProvider.get(), POOL), tokens, tokens.length - 1);
        assertThat(maxDiff(a, u)).as("scaling is live").isGreaterThan(1e-3);
        lg.close();
        lh.close();
        lh2.close();
    }

    @Test
    void qwen2GgufAndHfFormsAgreeAndBiasesMatter() throws Exception {
        LlamaConfig c = config("qwen2", 2, true, RopeLayout.HALF, 0);
        List<ExportTensor> tensors = scaled(RandomTensors.of(c, TensorNames.GGUF, 5));
        Path g = dir.resolve("q.gguf");
        GgufModelWriter.write(g, "q", c, tensors, GgmlType.F32, SyntheticVocabulary.gguf(c.vocabSize()));
        LoadedModel lg = ModelLoader.load(g);
        assertThat(lg.config().attentionBias()).isTrue();
        assertThat(lg.config().ropeLayout()).isEqualTo(RopeLayout.HALF);
        Path h = dir.resolve("q-hf");
        HfModelWriter.write(h, HfModelWriter.config(c, 1, List.of(2), GgmlType.F32),
                scaled(RandomTensors.of(c, TensorNames.HF, 5)), GgmlType.F32);
        Files.copy(g, h.resolve("vocab.gguf"));
        LoadedModel lh = ModelLoader.load(h, h.resolve("vocab.gguf"));
        int[] tokens = {1, 5, 77, 123, 250, 9, 42};
        float[] fromGguf = logitsAt(new LlamaModel(lg.config(), lg.weights(), KernelProvider.get(), POOL), tokens, 6);
        float[] fromHf = logitsAt(new LlamaModel(lh.config(), lh.weights(), KernelProvider.get(), POOL), tokens, 6);
        for (int i = 0; i < fromGguf.length; i++) {
            assertThat(fromHf[i]).isCloseTo(fromGguf[i], org.assertj.core.data.Offset.offset(1e-4f));
        }
        // the same weights without biases give different logits: the bias path is live
        LayerWeights l0 = lg.weights().layers().get(0);
        java.util.Arrays.fill(l0.bq(), 0f);
        java.util.Arrays.fill(l0.bk(), 0f);
        java.util.Arrays.fill(l0.bv(), 0f);
        float[] noBias = logitsAt(new LlamaModel(lg.config(), lg.weights(), KernelProvider.get(), POOL), tokens, 6);
        assertThat(maxDiff(noBias, fromGguf)).isGreaterThan(0.1);
        lg.close();
        lh.close();
    }
}
