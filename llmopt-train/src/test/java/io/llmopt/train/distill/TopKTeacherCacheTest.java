package io.llmopt.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.ModelParameters;
import io.llmopt.train.TrainingModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopKTeacherCacheTest {
    private static final WorkerPool POOL = new WorkerPool(2);
    private static final LlamaConfig TEACHER = new LlamaConfig("llama", 24, 40, 2, 4, 2, 6, 32, 1e-5f, 10000, 6,
            RopeLayout.INTERLEAVED, RopeScaling.NONE, 64, false, false, 0);
    private static final LlamaConfig STUDENT = new LlamaConfig("llama", 16, 24, 1, 4, 2, 4, 32, 1e-5f, 10000, 4,
            RopeLayout.INTERLEAVED, RopeScaling.NONE, 64, true, false, 0);
    private static final int BATCH = 3;
    private static final int SEQ = 8;
    private static final int V = 32;

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    private static Teacher teacher() {
        ModelParameters p = ModelParameters.random(TEACHER, 1);
        Random rng = new Random(3);
        float[] v = p.values();
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (0.5 * rng.nextGaussian());
        }
        return Teacher.float32(p, BATCH, SEQ, POOL);
    }

    /** Counts calls, to see which windows the real teacher computed. */
    private static final class Counting implements Teacher {
        final Teacher inner;
        int calls;

        Counting(Teacher inner) {
            this.inner = inner;
        }

        @Override
        public LlamaConfig config() {
            return inner.config();
        }

        @Override
        public void logits(int[] inputs, int batch, float[] dst) {
            calls++;
            inner.logits(inputs, batch, dst);
        }
    }

    private static int[] tokens(long seed) {
        Random rng = new Random(seed);
        int[] t = new int[BATCH * SEQ];
        for (int i = 0; i < t.length; i++) {
            t[i] = rng.nextInt(V);
        }
        return t;
    }

    @Test
    void keepsTheTopKLogitsAndMasksTheRest() {
        Teacher t = teacher();
        int[] in = tokens(1);
        float[] dense = new float[BATCH * SEQ * V];
        t.logits(in, BATCH, dense);
        float[] sparse = new float[dense.length];
        try (TopKTeacherCache c = new TopKTeacherCache(t, TEACHER, "t", dir, 5, SEQ)) {
            c.logits(in, BATCH, sparse);
        }
        for (int r = 0; r < BATCH * SEQ; r++) {
            float[] row = Arrays.copyOfRange(dense, r * V, (r + 1) * V);
            float[] sorted = row.clone();
            Arrays.sort(sorted);
            float fifth = sorted[V - 5];
            for (int j = 0; j < V; j++) {
                float expected = row[j] >= fifth ? row[j] : TopKTeacherCache.MASKED;
                assertThat(sparse[r * V + j]).as("row %d id %d", r, j).isEqualTo(expected);
            }
        }
        // k = V keeps the whole distribution
        float[] all = new float[dense.length];
        try (TopKTeacherCache c = new TopKTeacherCache(t, TEACHER, "t", dir.resolve("all"), V, SEQ)) {
            c.logits(in, BATCH, all);
        }
        assertThat(all).isEqualTo(dense);
    }

    @Test
    void theTeacherRunsOncePerWindowAndTheCacheServesLaterRuns() throws Exception {
        Counting t = new Counting(teacher());
        int[] a = tokens(1);
        int[] b = tokens(2);
        float[] first = new float[BATCH * SEQ * V];
        float[] again = new float[first.length];
        try (TopKTeacherCache c = new TopKTeacherCache(t, TEACHER, "t", dir, 4, SEQ)) {
            c.logits(a, BATCH, first);
            c.logits(a, BATCH, again);
            assertThat(again).isEqualTo(first);
            assertThat(t.calls).isEqualTo(1);
            c.logits(b, BATCH, again);
            assertThat(t.calls).isEqualTo(2);
            assertThat(c.size()).isEqualTo(2 * BATCH);
        }
        // a later run without any teacher: everything from disk, identical targets
        float[] reopened = new float[first.length];
        try (TopKTeacherCache c = new TopKTeacherCache(null, TEACHER, "t", dir, 4, SEQ)) {
            c.logits(a, BATCH, reopened);
            assertThat(reopened).isEqualTo(first);
            assertThat(c.hits()).isEqualTo(BATCH);
            assertThatThrownBy(() -> c.logits(tokens(9), BATCH, new float[first.length]))
                    .isInstanceOf(LlmoptException.class).hasMessageContaining("missing from the teacher cache");
        }
        // a cache of another teacher or k is refused
        assertThatThrownBy(() -> new TopKTeacherCache(t, TEACHER, "other", dir, 4, SEQ))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("written for another run");
        assertThatThrownBy(() -> new TopKTeacherCache(t, TEACHER, "t", dir, 8, SEQ)).isInstanceOf(LlmoptException.class);
        // a record cut short (killed run) is dropped, the whole ones stay
        Path file = dir.resolve("topk.bin");
        long size = Files.size(file);
        Files.write(file, new byte[17], StandardOpenOption.APPEND);
        try (TopKTeacherCache c = new TopKTeacherCache(null, TEACHER, "t", dir, 4, SEQ)) {
            assertThat(c.size()).isEqualTo(2 * BATCH);
        }
        assertThat(Files.size(file)).isEqualTo(size);
    }

    @Test
    void distillationFromTheCacheEqualsDistillationFromTopKTargets() {
        Teacher t = teacher();
        int[] in = tokens(4);
        int[] targets = tokens(5);
        double[] losses = new double[2];
        for (int run = 0; run < 2; run++) {
            ModelParameters sp = ModelParameters.random(STUDENT, 7);
            TrainingModel student = new TrainingModel(sp, BATCH, SEQ, POOL);
            try (TopKTeacherCache c = new TopKTeacherCache(run == 0 ? t : null, TEACHER, "t", dir, 6, SEQ)) {
                DistillationObjective o = new DistillationObjective(c, V, BATCH, SEQ, 2.0, 0.5, false, POOL);
                student.forward(in, BATCH);
                losses[run] = o.lossAndGradient(student, in, targets, BATCH, 1f / (BATCH * SEQ));
                assertThat(o.lastKl()).isFinite().isPositive();
            }
        }
        assertThat(losses[1]).isEqualTo(losses[0]);
        assertThatThrownBy(() -> new TopKTeacherCache(t, TEACHER, "t", dir.resolve("x"), 0, SEQ))
                .isInstanceOf(LlmoptException.class).hasMessage("--teacher-topk must be in 1..32, got 0");
    }
}
