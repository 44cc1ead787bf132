package io.llmopt.train.distill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.ModelParameters;
import io.llmopt.train.ParameterLayout;
import io.llmopt.train.Tiny;
import io.llmopt.train.TrainingModel;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class StudentInitTest {
    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    private static float[] logits(ModelParameters p, int[] inputs) {
        TrainingModel m = new TrainingModel(p, 2, 8, POOL);
        return m.forward(inputs, 2).clone();
    }

    @Test
    void droppingNeuronsThatContributeNothingKeepsTheLogits() {
        ModelParameters teacher = ModelParameters.random(Tiny.CONFIG, 5);
        float[] v = teacher.values();
        Random rng = new Random(1);
        for (int i = 0; i < v.length; i++) {
            v[i] += (float) (0.3 * rng.nextGaussian());
        }
        int d = Tiny.CONFIG.hiddenSize();
        int ff = Tiny.CONFIG.intermediateSize();
        // neurons 3, 7, 11, … (16 of 64) get a zero down column: they contribute nothing and score 0
        for (int l = 0; l < Tiny.CONFIG.numLayers(); l++) {
            ParameterLayout.Layer layer = teacher.layout().layer(l);
            for (int n = 3; n < ff; n += 4) {
                for (int i = 0; i < d; i++) {
                    v[layer.down() + i * ff + n] = 0;
                }
            }
        }
        int[] inputs = new int[16];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = rng.nextInt(Tiny.CONFIG.vocabSize());
        }
        ModelParameters student = StudentInit.narrowerFfn(teacher, 48);
        assertThat(student.config().intermediateSize()).isEqualTo(48);
        assertThat(student.values().length).isLessThan(teacher.values().length);
        float[] expected = logits(teacher, inputs);
        float[] actual = logits(student, inputs);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) actual[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4));
        }
        // dropping more than the dead neurons changes the output
        float[] smaller = logits(StudentInit.narrowerFfn(teacher, 40), inputs);
        assertThat(smaller).isNotEqualTo(expected);
        // the full width is the teacher itself
        assertThat(StudentInit.narrowerFfn(teacher, ff).values()).isEqualTo(teacher.values());
        assertThatThrownBy(() -> StudentInit.narrowerFfn(teacher, 65)).isInstanceOf(LlmoptException.class)
                .hasMessage("--student-ffn must be in 1..64 (the teacher's intermediate size), got 65");
    }
}
