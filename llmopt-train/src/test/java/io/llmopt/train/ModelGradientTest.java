package io.llmopt.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.testing.FiniteDifference;
import io.llmopt.train.testing.GradientAssert;
import io.llmopt.train.testing.ReferenceModel;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Whole-model gradients: every parameter of a tiny Llama (dim 16, 2 layers, 4 heads, 2 kv heads, vocab 32,
 * 2 sequences of 8 tokens) from TrainingModel's backward pass, against central finite differences of the
 * float64 ReferenceModel's mean cross-entropy, tensor by tensor.
 */
class ModelGradientTest {
    /** Per tensor: max |analytic − finite difference| / max |finite difference|. */
    static final double GRAD_TOLERANCE = 2e-5;
    /** float32 loss vs float64 loss. */
    static final double LOSS_TOLERANCE = 1e-5;

    private static final WorkerPool POOL = new WorkerPool(2);

    @AfterAll
    static void stop() {
        POOL.shutdown();
    }

    @Test
    void tiedInterleaved() {
        check("tied, interleaved RoPE", new LlamaConfig("llama", 16, 24, 2, 4, 2, 4, 32, 1e-5f, 10000, 4,
                RopeLayout.INTERLEAVED, RopeScaling.NONE, 64, true, false, 0));
    }

    @Test
    void untiedHalfRopeWithBiasPartialRotaryAndWindow() {
        check("untied, half RoPE, q/k/v bias, rope dim 4 of 8, window 3", new LlamaConfig("qwen2", 16, 20, 2, 2, 1, 8, 32,
                1e-6f, 1000, 4, RopeLayout.HALF, RopeScaling.NONE, 64, false, true, 3));
    }

    private static void check(String what, LlamaConfig c) {
        int batch = 2;
        int seqLen = 8;
        Random rng = new Random(42);
        ModelParameters params = ModelParameters.random(c, 7);
        float[] p = params.values();
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.3 * rng.nextGaussian()); // larger than init so every path carries signal
        }
        int[] inputs = new int[batch * seqLen];
        int[] targets = new int[batch * seqLen];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = rng.nextInt(c.vocabSize());
            targets[i] = rng.nextInt(c.vocabSize());
        }
        TrainingModel model = new TrainingModel(params, batch, seqLen, POOL);
        model.forward(inputs, batch);
        int rows = batch * seqLen;
        double sum = new CrossEntropyObjective(POOL).lossAndGradient(model, inputs, targets, batch, 1f / rows);
        model.backward();

        ReferenceModel ref = new ReferenceModel(c, seqLen);
        double[] pd = FiniteDifference.toDouble(p);
        double refLoss = ref.loss(pd, inputs, targets, batch);
        System.out.printf("%s: %d parameters, loss float32 %.7f float64 %.7f%n", what, p.length, sum / rows, refLoss);
        assertThat(Math.abs(sum / rows - refLoss)).isLessThan(LOSS_TOLERANCE);
        double worst = 0;
        for (ParameterLayout.Entry e : params.layout().entries()) {
            double[] numeric = new double[e.size()];
            for (int i = 0; i < e.size(); i++) {
                numeric[i] = FiniteDifference.partial(pd, e.offset() + i, x -> ref.loss(x, inputs, targets, batch));
            }
            worst = Math.max(worst, GradientAssert.check(what + " " + e.name(), model.gradients(), e.offset(), numeric, GRAD_TOLERANCE));
        }
        System.out.printf("%s: worst tensor %.2e%n", what, worst);
    }
}
