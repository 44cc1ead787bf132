package io.llmopt.model.paged;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.ForwardProfile;
import io.llmopt.model.ForwardState;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.model.export.GgufModelWriter;
import io.llmopt.model.export.RandomTensors;
import io.llmopt.model.export.SyntheticVocabulary;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8 (engine single stream vs {@code llmopt bench}): a batch-1 decode step of the paged forward must do
 * exactly the work of the contiguous {@link LlamaModel} decode — the same kernel calls in the same order (q/k/v and
 * gate/up through the fused shared-input GEMV, every weight at batch 1, logits for one row only, no GEMM), the same
 * number of worker-pool dispatches, the same {@link ForwardProfile} stages, and the same logits bit for bit (once
 * the kernels are compiled).
 */
class PagedDecodeParityTest {
    @TempDir
    Path dir;

    @Test
    void aBatchOneDecodeStepMakesTheContiguousKernelCallsAndDispatches() {
        LlamaConfig c = new LlamaConfig("llama", 256, 768, 2, 8, 4, 32, 2048, 1e-5f, 10000, 32, RopeLayout.INTERLEAVED,
                RopeScaling.NONE, 64, false, false, 0);
        Path p = dir.resolve("parity.gguf");
        GgufModelWriter.write(p, "llama", c, RandomTensors.of(c, TensorNames.GGUF, 11), GgmlType.F16,
                SyntheticVocabulary.gguf(c.vocabSize()));
        try (LoadedModel m = ModelLoader.load(p)) {
            int prompt = 6;
            int decode = 12;
            int[] tokens = new SplittableRandom(5).ints(prompt + decode, 1, c.vocabSize()).toArray();
            WorkerPool contiguousPool = new WorkerPool(2);
            WorkerPool pagedPool = new WorkerPool(2);
            try {
                Recording contiguousCalls = new Recording(KernelProvider.get());
                Recording pagedCalls = new Recording(KernelProvider.get());
                LlamaModel model = new LlamaModel(c, m.weights(), contiguousCalls, contiguousPool);
                ForwardState state = model.newState(64, 16);
                PagedKvCache cache = new PagedKvCache(c, 8, 16);
                PagedForward paged = new PagedForward(c, m.weights(), pagedCalls, pagedPool, 64, 16, 4);
                SequenceBatch batch = new SequenceBatch(16, 4);
                int[] table = {3, 0, 5, 1};
                model.forward(state, tokens, 0, prompt, 0, false);
                batch.addSequence(table, tokens, 0, prompt, 0, true);
                paged.forward(cache, batch);
                ForwardProfile contiguousStages = new ForwardProfile(c.numLayers());
                ForwardProfile pagedStages = new ForwardProfile(c.numLayers());
                model.setProfile(contiguousStages);
                paged.setProfile(pagedStages);
                for (int pos = prompt; pos < prompt + decode; pos++) {
                    contiguousCalls.calls.clear();
                    pagedCalls.calls.clear();
                    long contiguousBefore = contiguousPool.dispatches();
                    long pagedBefore = pagedPool.dispatches();
                    contiguousStages.start();
                    float[] expected = model.forward(state, tokens, pos, 1, pos, false).clone();
                    batch.clear();
                    batch.addSequence(table, tokens, pos, 1, pos, true);
                    pagedStages.start();
                    float[] actual = Arrays.copyOf(paged.forward(cache, batch), c.vocabSize());
                    assertThat(pagedCalls.calls).as("kernel calls of the decode step at %d", pos)
                            .isEqualTo(contiguousCalls.calls)
                            .allSatisfy(call -> assertThat(call).endsWith("batch 1"));
                    assertThat(pagedPool.dispatches() - pagedBefore).as("pool dispatches at %d", pos)
                            .isEqualTo(contiguousPool.dispatches() - contiguousBefore).isPositive();
                    if (pos >= prompt + decode - 4) { // compiled by now: the same bits
                        assertThat(actual).as("logits at %d", pos).containsExactly(expected);
                    }
                }
                for (ForwardProfile.Stage stage : ForwardProfile.Stage.values()) {
                    for (int layer = -1; layer < c.numLayers(); layer++) {
                        assertThat(pagedStages.calls(stage, layer)).as("%s of layer %d", stage, layer)
                                .isEqualTo(contiguousStages.calls(stage, layer));
                    }
                }
                assertThat(pagedStages.calls(ForwardProfile.Stage.ATTN_QKV, 0)).isEqualTo(decode);
            } finally {
                contiguousPool.shutdown();
                pagedPool.shutdown();
            }
        }
    }

    /** Delegates to real kernels and records every matmul as "kind weights batch n". */
    private static final class Recording implements Kernels {
        final List<String> calls = new ArrayList<>();
        private final Kernels delegate;

        Recording(Kernels delegate) {
            this.delegate = delegate;
        }

        @Override
        public String name() {
            return "recording-" + delegate.name();
        }

        @Override
        public float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
            return delegate.dot(a, aOffset, b, bOffset, n);
        }

        @Override
        public void axpy(float alpha, float[] x, int xOffset, float[] y, int yOffset, int n) {
            delegate.axpy(alpha, x, xOffset, y, yOffset, n);
        }

        @Override
        public float dotRow(Tensor w, long row, float[] x, int xOffset, float[] scratch) {
            return delegate.dotRow(w, row, x, xOffset, scratch);
        }

        @Override
        public void matmul(Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset, WorkerPool pool) {
            calls.add("matmul " + w.name() + " batch " + batch);
            delegate.matmul(w, x, xOffset, batch, out, outOffset, pool);
        }

        @Override
        public void matmulShared(Tensor[] w, float[] x, int xOffset, int batch, float[][] out, WorkerPool pool) {
            StringBuilder names = new StringBuilder();
            for (Tensor t : w) {
                names.append(t.name()).append(' ');
            }
            calls.add("shared " + names + "batch " + batch);
            delegate.matmulShared(w, x, xOffset, batch, out, pool);
        }
    }
}
