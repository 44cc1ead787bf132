package io.llmopt.model.paged;

import static org.assertj.core.api.Assertions.assertThat;

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
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.ScalarKernels;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paged multi-sequence forward against the contiguous single-sequence {@link LlamaModel#forward}: one sequence
 * through scattered blocks gives the same logits (bit for bit with the scalar kernels; the vector kernels round
 * differently while not yet JIT-compiled, so they get 1e-5), and sequences sharing a step each get their own
 * logits.
 */
class PagedForwardTest {
    private static final WorkerPool POOL = new WorkerPool(2);

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    @Test
    void oneSequenceThroughScatteredBlocksMatchesLlamaModelExactly() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"))) {
            checkSingle(m, KernelProvider.get(), 4, 1e-5f);
            checkSingle(m, new ScalarKernels(), 4, 0f);
        }
    }

    @Test
    void quantizedRealModelMatchesToo() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/ref-tinystories/ref-tinystories-Q4_K_M.gguf"))) {
            // the vector kernels are exact only once JIT-compiled (cold runs differ by ~3e-6: reduction order)
            checkSingle(m, KernelProvider.get(), 16, 1e-5f);
            checkSingle(m, new ScalarKernels(), 16, 0f);
        }
    }

    @Test
    void gqaBiasAndSlidingWindowVariantsMatch() {
        for (LlamaConfig c : new LlamaConfig[] {
                config("qwen2", true, RopeLayout.HALF, 0, 2), config("mistral", false, RopeLayout.INTERLEAVED, 5, 2),
                config("llama", false, RopeLayout.INTERLEAVED, 0, 4), config("mistral", false, RopeLayout.INTERLEAVED, 5, 4)}) {
            Path p = dir.resolve(c.architecture() + "-" + c.numKvHeads() + "-" + c.slidingWindow() + ".gguf"); // kv heads 4: one per head
            GgufModelWriter.write(p, c.architecture(), c, RandomTensors.of(c, TensorNames.GGUF, 7), GgmlType.F32,
                    SyntheticVocabulary.gguf(c.vocabSize()));
            try (LoadedModel m = ModelLoader.load(p)) {
                checkSingle(m, KernelProvider.get(), 3, 1e-5f);
                checkSingle(m, new ScalarKernels(), 3, 0f);
            }
        }
    }

    @Test
    void sequencesSharingAStepGetTheirOwnLogits() {
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/stories260K/stories260K-f32.gguf"))) {
            // scalar kernels are batch-invariant, so sharing the step must not change a single bit
            checkShared(m, new ScalarKernels(), 0f);
            // the vector kernels' GEMV (batch 1) and GEMM (batch > 1) may round differently
            checkShared(m, KernelProvider.get(), 1e-4f);
        }
        try (LoadedModel m = ModelLoader.load(SharedData.require("models/ref-tinystories/ref-tinystories-Q4_K_M.gguf"))) {
            checkShared(m, new ScalarKernels(), 0f);
            checkShared(m, KernelProvider.get(), 1e-4f);
        }
    }

    private static LlamaConfig config(String arch, boolean bias, RopeLayout layout, int window, int kvHeads) {
        return new LlamaConfig(arch, 64, 96, 2, 4, kvHeads, 16, 300, 1e-5f, 10000, 16, layout, RopeScaling.NONE, 64,
                false, bias, window);
    }

    /** Prefill in chunks of 7, 1, 5 then decode 10 tokens; every step compared with the contiguous model. */
    private static void checkSingle(LoadedModel m, Kernels kernels, int blockSize, float tolerance) {
        LlamaModel model = new LlamaModel(m.config(), m.weights(), kernels, POOL);
        int vocab = m.config().vocabSize();
        int context = 40;
        PagedKvCache cache = new PagedKvCache(m.config(), 64, blockSize);
        PagedForward paged = new PagedForward(m.config(), m.weights(), kernels, POOL, context, 16, 4);
        int[] table = scatteredTable(context, blockSize, 64, 11);
        ForwardState state = model.newState(context, 16);
        int[] tokens = new SplittableRandom(3).ints(context, 1, vocab).toArray();
        SequenceBatch batch = new SequenceBatch(16, 4);
        int pos = 0;
        for (int chunk : new int[] {7, 1, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}) {
            float[] expected = model.forward(state, tokens, pos, chunk, pos, false).clone();
            batch.clear();
            batch.addSequence(table, tokens, pos, chunk, pos, true);
            float[] actual = Arrays.copyOf(paged.forward(cache, batch), vocab);
            assertThat(maxDiff(expected, actual)).as("%s, step at %d", kernels.name(), pos).isLessThanOrEqualTo(tolerance);
            pos += chunk;
        }
    }

    /** Three sequences, each step mixing a prefill chunk of one with decode tokens of the others. */
    private static void checkShared(LoadedModel m, Kernels kernels, float tolerance) {
        double worst = 0;
        LlamaModel model = new LlamaModel(m.config(), m.weights(), kernels, POOL);
        int vocab = m.config().vocabSize();
        int context = 48;
        int blockSize = 4;
        PagedKvCache cache = new PagedKvCache(m.config(), 3 * 12, blockSize);
        PagedForward paged = new PagedForward(m.config(), m.weights(), kernels, POOL, context, 32, 3);
        SequenceBatch batch = new SequenceBatch(32, 3);
        int[][] tables = new int[3][12];
        int[] perm = scatteredTable(36, 1, 36, 5);
        for (int s = 0; s < 3; s++) {
            tables[s] = Arrays.copyOfRange(perm, s * 12, s * 12 + 12);
        }
        int[][] tokens = new int[3][];
        ForwardState[] states = new ForwardState[3];
        int[] done = new int[3];
        for (int s = 0; s < 3; s++) {
            tokens[s] = new SplittableRandom(20 + s).ints(context, 1, vocab).toArray();
            states[s] = model.newState(context, 32);
        }
        int[][] chunks = {{9, 0, 6}, {1, 13, 1}, {1, 1, 1}, {1, 1, 7}, {1, 1, 1}, {1, 1, 1}};
        for (int[] step : chunks) {
            batch.clear();
            float[][] expected = new float[3][];
            for (int s = 0; s < 3; s++) {
                if (step[s] > 0) {
                    expected[s] = model.forward(states[s], tokens[s], done[s], step[s], done[s], false).clone();
                    batch.addSequence(tables[s], tokens[s], done[s], step[s], done[s], true);
                }
            }
            float[] logits = paged.forward(cache, batch);
            int row = 0;
            for (int s = 0; s < 3; s++) {
                if (step[s] > 0) {
                    float[] actual = Arrays.copyOfRange(logits, row * vocab, row * vocab + vocab);
                    double diff = maxDiff(expected[s], actual);
                    worst = Math.max(worst, diff);
                    assertThat(diff).as("%s seq %d at %d", kernels.name(), s, done[s]).isLessThanOrEqualTo(tolerance);
                    row++;
                    done[s] += step[s];
                }
            }
        }
        System.out.println("paged shared step vs alone, " + kernels.name() + ": max |Δlogit| = " + worst);
    }

    /** A random permutation of block ids: block i of the sequence is table[i]. */
    static int[] scatteredTable(int positions, int blockSize, int numBlocks, long seed) {
        int[] ids = new int[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            ids[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = numBlocks - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = ids[i];
            ids[i] = ids[j];
            ids[j] = t;
        }
        return Arrays.copyOf(ids, (positions + blockSize - 1) / blockSize);
    }

    private static double maxDiff(float[] x, float[] y) {
        double max = 0;
        for (int i = 0; i < x.length; i++) {
            max = Math.max(max, Math.abs(x[i] - y[i]));
        }
        return max;
    }
}
