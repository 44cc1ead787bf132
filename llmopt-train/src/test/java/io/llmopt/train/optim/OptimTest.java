package io.llmopt.train.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.testkit.SharedData;
import io.llmopt.train.ParameterLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class OptimTest {
    private static final WorkerPool ONE = new WorkerPool(1);
    private static final WorkerPool TWO = new WorkerPool(2);
    private static final LlamaConfig TINY = new LlamaConfig("llama", 16, 24, 2, 4, 2, 4, 32, 1e-5f, 10000, 4,
            RopeLayout.INTERLEAVED, RopeScaling.NONE, 64, true, false, 0);

    @AfterAll
    static void stop() {
        ONE.shutdown();
        TWO.shutdown();
    }

    @Test
    void scheduleReproducesTheReferenceTrainersLoggedRates() throws Exception {
        JsonNode log = new ObjectMapper().readTree(SharedData.require("models/ref-tinystories/train_log.json").toFile());
        // config: lr 0.002, warm-up 50, "cosine to step 744, then a 10 % floor"
        LearningRateSchedule s = new LearningRateSchedule(0.002, 50, 744, 0.1);
        int checked = 0;
        for (JsonNode e : log.get("log")) {
            double logged = e.get("lr").asDouble(); // printed to 3 significant digits
            assertThat(s.at(e.get("step").asInt())).as("step " + e.get("step")).isCloseTo(logged, within(0.005 * logged));
            checked++;
        }
        assertThat(checked).isGreaterThan(40);
    }

    @Test
    void scheduleShape() {
        LearningRateSchedule s = new LearningRateSchedule(1.0, 10, 100, 0.1);
        assertThat(s.at(0)).isCloseTo(0.1 * (0.1 + 0.9 * 0.5 * 2), within(1e-12));
        assertThat(s.at(100)).isCloseTo(0.1, within(1e-12));
        assertThat(s.at(5000)).isCloseTo(0.1, within(1e-12));
        assertThat(new LearningRateSchedule(1.0, 0, 100, 0).at(50)).isCloseTo(0.5, within(1e-12));
    }

    @Test
    void adamWMatchesItsFormulaAndDecaysOnlyMatrices() {
        ParameterLayout layout = new ParameterLayout(TINY);
        Random rng = new Random(3);
        float[] p = new float[layout.size()];
        float[] g = new float[layout.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) rng.nextGaussian();
        }
        AdamW.Settings set = new AdamW.Settings(0.9, 0.95, 1e-8, 0.1);
        AdamW opt = new AdamW(layout, set);
        double[] m = new double[p.length];
        double[] v = new double[p.length];
        double[] ref = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            ref[i] = p[i];
        }
        double lr = 1e-2;
        for (int t = 1; t <= 3; t++) {
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) rng.nextGaussian();
            }
            opt.step(p, g, lr, TWO);
            for (ParameterLayout.Entry e : layout.entries()) {
                for (int i = e.offset(); i < e.offset() + e.size(); i++) {
                    if (e.matrix()) {
                        ref[i] *= 1 - lr * set.weightDecay();
                    }
                    m[i] = 0.9 * m[i] + 0.1 * g[i];
                    v[i] = 0.95 * v[i] + 0.05 * g[i] * g[i];
                    double mHat = m[i] / (1 - Math.pow(0.9, t));
                    double vHat = v[i] / (1 - Math.pow(0.95, t));
                    ref[i] -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
                }
            }
        }
        for (int i = 0; i < p.length; i++) {
            assertThat((double) p[i]).isCloseTo(ref[i], within(1e-5));
        }
        assertThat(opt.updates()).isEqualTo(3);

        // a norm weight with zero gradient stays put (no decay); a matrix weight shrinks
        AdamW fresh = new AdamW(layout, set);
        float[] q = new float[layout.size()];
        java.util.Arrays.fill(q, 1f);
        fresh.step(q, new float[q.length], 0.5, ONE);
        assertThat(q[layout.outputNorm()]).isEqualTo(1f);
        assertThat(q[layout.tokenEmbedding()]).isEqualTo(1f - 0.5f * 0.1f);
    }

    @Test
    void globalNormClippingIsThreadCountIndependent() {
        ParameterLayout layout = new ParameterLayout(TINY);
        Random rng = new Random(4);
        float[] g = new float[layout.size()];
        double ss = 0;
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rng.nextGaussian();
            ss += (double) g[i] * g[i];
        }
        float[] g2 = g.clone();
        GradientClipping clip = new GradientClipping(layout);
        double n1 = clip.clip(g, 1.0, ONE);
        double n2 = clip.clip(g2, 1.0, TWO);
        assertThat(n1).isEqualTo(n2).isCloseTo(Math.sqrt(ss), within(1e-9));
        assertThat(g).isEqualTo(g2);
        assertThat(clip.norm(g, ONE)).isCloseTo(1.0, within(1e-5));
        float[] small = new float[layout.size()];
        small[0] = 0.5f;
        clip.clip(small, 1.0, ONE);
        assertThat(small[0]).isEqualTo(0.5f);
    }
}
