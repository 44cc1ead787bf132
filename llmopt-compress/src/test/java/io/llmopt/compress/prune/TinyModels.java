package io.llmopt.compress.prune;

import io.llmopt.compress.calib.CalibrationSet;
import io.llmopt.compress.calib.DenseMatrix;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.model.export.ExportTensor;
import io.llmopt.model.export.RandomTensors;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.model.loader.TensorSource;
import io.llmopt.model.loader.WeightsBuilder;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/** A small random GQA model (F32 in memory) and random calibration windows, for fast pruning tests. */
final class TinyModels {
    private TinyModels() {
    }

    static LlamaConfig config() {
        return new LlamaConfig("llama", 64, 128, 3, 4, 2, 16, 96, 1e-5f, 10000, 16, RopeLayout.INTERLEAVED,
                RopeScaling.NONE, 64, false, false, 0);
    }

    /** Random weights scaled up (std 0.02 × 5) so that the layers do something visible. */
    static LlamaWeights weights(LlamaConfig c, long seed) {
        Map<String, Tensor> tensors = new HashMap<>();
        for (ExportTensor t : RandomTensors.of(c, TensorNames.GGUF, seed)) {
            float[] v = t.toFloatArray();
            if (t.shape().length == 2) {
                for (int i = 0; i < v.length; i++) {
                    v[i] *= 5;
                }
                tensors.put(t.name(), new DenseMatrix(t.name(), (int) t.shape()[0], (int) t.shape()[1], v).toTensor());
            } else {
                tensors.put(t.name(), new DenseMatrix(t.name(), 1, v.length, v).toTensor().reshape(t.name(), v.length));
            }
        }
        TensorSource src = new TensorSource() {
            @Override
            public String source() {
                return "tiny";
            }

            @Override
            public Optional<Tensor> find(String name) {
                return Optional.ofNullable(tensors.get(name));
            }
        };
        return WeightsBuilder.build(src, TensorNames.GGUF, c);
    }

    static CalibrationSet calibration(LlamaConfig c, int samples, int seqLen, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[][] w = new int[samples][seqLen];
        for (int[] row : w) {
            for (int i = 0; i < seqLen; i++) {
                row[i] = r.nextInt(c.vocabSize());
            }
        }
        return new CalibrationSet(w);
    }

    /** All-position logits of {@code tokens} [n][vocab]. */
    static float[] logits(LlamaConfig c, LlamaWeights w, int[] tokens) {
        WorkerPool pool = new WorkerPool(1);
        try {
            LlamaModel m = new LlamaModel(c, w, KernelProvider.get(), pool);
            return m.forward(m.newState(tokens.length, tokens.length), tokens, 0, tokens.length, 0, true).clone();
        } finally {
            pool.shutdown();
        }
    }

    static PruneOptions options(PruneMethod m, SparsityPattern p) {
        return new PruneOptions(m, p, java.util.List.of(), 32, 0.01, 1);
    }
}
