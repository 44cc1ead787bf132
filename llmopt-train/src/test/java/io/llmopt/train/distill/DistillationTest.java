package io.llmopt.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaModel;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.ModelParameters;
import io.llmopt.train.ParameterLayout;
import io.llmopt.train.TrainingModel;
import io.llmopt.train.testing.FiniteDifference;
import io.llmopt.train.testing.GradientAssert;
import io.llmopt.train.testing.ReferenceModel;
import io.llmopt.train.testing.ReferenceOps;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class DistillationTest {
    static final double GRAD_TOLERANCE = 2e-5;
    private static final WorkerPool POOL = new WorkerPool(2);
    private static final LlamaConfig STUDENT = new LlamaConfig("llama", 16, 24, 1, 4, 2, 4, 32, 1e-5f, 10000, 4,
            RopeLayout.INTERLEAVED, RopeScaling.NONE, 64, true, false, 0);
    private static final LlamaConfig TEACHER = new LlamaConfig("llama", 24, 40, 2, 4, 2, 6, 32, 1e-5f, 10000, 6,
            RopeLayout.INTERLEAVED, RopeScaling.NONE, 64, false, false, 0);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    @Test
    void studentGradientsOfTheDistillationLossMatchFiniteDifferences() {
        int batch = 2;
        int seqLen = 6;
        Random rng = new Random(9);
        ModelParameters teacherParams = ModelParameters.random(TEACHER, 1);
        float[] tp = teacherParams.values();
        for (int i = 0; i < tp.length; i++) {
            tp[i] += (float) (0.5 * rng.nextGaussian());
        }
        LlamaModel teacher = new LlamaModel(TEACHER, teacherParams.toWeights(), KernelProvider.get(), POOL);
        ModelParameters student = ModelParameters.random(STUDENT, 2);
        float[] p = student.values();
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.3 * rng.nextGaussian());
        }
        int rows = batch * seqLen;
        int[] inputs = new int[rows];
        int[] targets = new int[rows];
        for (int i = 0; i < rows; i++) {
            inputs[i] = rng.nextInt(32);
            targets[i] = rng.nextInt(32);
        }
        for (boolean reverse : new boolean[] {false, true}) {
            double tau = 2.0;
            double alpha = 0.7;
            DistillationObjective objective = new DistillationObjective(Teacher.of(teacher, seqLen), 32, batch, seqLen, tau, alpha, reverse, POOL);
            TrainingModel model = new TrainingModel(student, batch, seqLen, POOL);
            model.forward(inputs, batch);
            double sum = objective.lossAndGradient(model, inputs, targets, batch, 1f / rows);
            model.backward();

            double[] teacherLogits = new double[rows * 32];
            var state = teacher.newState(seqLen, seqLen);
            for (int b = 0; b < batch; b++) {
                float[] l = teacher.forward(state, inputs, b * seqLen, seqLen, 0, true);
                for (int i = 0; i < seqLen * 32; i++) {
                    teacherLogits[b * seqLen * 32 + i] = l[i];
                }
            }
            ReferenceModel ref = new ReferenceModel(STUDENT, seqLen);
            double[] pd = FiniteDifference.toDouble(p);
            java.util.function.ToDoubleFunction<double[]> f = x -> ReferenceOps.distillation(ref.logits(x, inputs, batch), teacherLogits,
                    targets, rows, 32, tau, alpha, reverse) / rows;
            assertThat(sum / rows).isCloseTo(f.applyAsDouble(pd), org.assertj.core.data.Offset.offset(1e-5));
            for (ParameterLayout.Entry e : student.layout().entries()) {
                double[] numeric = new double[e.size()];
                for (int i = 0; i < e.size(); i++) {
                    numeric[i] = FiniteDifference.partial(pd, e.offset() + i, f);
                }
                GradientAssert.check((reverse ? "reverse" : "forward") + "-KL distillation " + e.name(), model.gradients(), e.offset(),
                        numeric, GRAD_TOLERANCE);
            }
        }
    }

    @Test
    void float32TeacherGivesTheInferenceTeachersLogits() {
        ModelParameters p = ModelParameters.random(TEACHER, 5);
        LlamaModel inference = new LlamaModel(TEACHER, p.toWeights(), KernelProvider.get(), POOL);
        int batch = 3;
        int seqLen = 7;
        int[] inputs = new Random(3).ints(batch * seqLen, 0, 32).toArray();
        float[] a = new float[batch * seqLen * 32];
        float[] b = new float[a.length];
        Teacher.of(inference, seqLen).logits(inputs, batch, a);
        Teacher.float32(p, batch, seqLen, POOL).logits(inputs, batch, b);
        for (int i = 0; i < a.length; i++) {
            assertThat((double) b[i]).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void differentVocabulariesAreRejected() {
        LlamaModel teacher = new LlamaModel(TEACHER, ModelParameters.random(TEACHER, 1).toWeights(), KernelProvider.get(), POOL);
        assertThatThrownBy(() -> new DistillationObjective(Teacher.of(teacher, 8), 64, 2, 8, 2, 0.5, false, POOL))
                .isInstanceOf(LlmoptException.class)
                .hasMessage("teacher and student must share the vocabulary: the teacher has 32 tokens, the student 64");
    }

    @Test
    void everyKthLayerCopiesTheTeachersLayers() {
        LlamaConfig c = new LlamaConfig("llama", 16, 24, 5, 4, 2, 4, 32, 1e-5f, 10000, 4, RopeLayout.INTERLEAVED,
                RopeScaling.NONE, 64, true, false, 0);
        ModelParameters t = ModelParameters.random(c, 4);
        ModelParameters s = StudentInit.everyKthLayer(t, 2);
        assertThat(s.config().numLayers()).isEqualTo(3);
        for (int sl = 0; sl < 3; sl++) {
            int from = t.layout().layer(2 * sl).wq();
            int to = s.layout().layer(sl).wq();
            for (int i = 0; i < 16 * 16; i++) {
                assertThat(s.values()[to + i]).isEqualTo(t.values()[from + i]);
            }
        }
        assertThat(s.values()[s.layout().outputNorm()]).isEqualTo(t.values()[t.layout().outputNorm()]);
        assertThatThrownBy(() -> StudentInit.everyKthLayer(t, 6)).isInstanceOf(LlmoptException.class);
    }
}
