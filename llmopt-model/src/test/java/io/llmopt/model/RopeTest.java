package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class RopeTest {

    private static LlamaConfig config(int headDim, double theta, RopeScaling scaling, RopeLayout layout) {
        return new LlamaConfig("llama", headDim * 2, 64, 1, 2, 1, headDim, 32, 1e-5f, theta, headDim, layout, scaling, 16, true, false, 0);
    }

    /**
     * Llama 3.1 8B (head dim 128, θ 500000, factor 8, low 1, high 4, original 8192): frequencies computed with
     * numpy following transformers' _compute_llama3_parameters (an independent implementation).
     */
    @Test
    void llama3ScalingMatchesTransformers() {
        double[] f = Rope.frequencies(config(128, 500000, RopeScaling.llama3(8, 1, 4, 8192), RopeLayout.HALF), 16);
        int[] idx = {0, 5, 20, 40, 45, 47, 50, 63};
        double[] expected = {1.0, 0.35873022375128993, 0.016560440080994446, 3.428102195952591e-05,
            1.2297638677963614e-05, 8.160728247435943e-06, 4.411534674558404e-06, 3.068925988914511e-07};
        for (int i = 0; i < idx.length; i++) {
            assertThat(f[idx[i]]).as("θ[%d]", idx[i]).isCloseTo(expected[i], Offset.offset(expected[i] * 1e-12));
        }
    }

    @Test
    void rotationPairsFollowTheLayoutAndPreserveNorms() {
        int hd = 8;
        for (RopeLayout layout : RopeLayout.values()) {
            Rope rope = new Rope(config(hd, 10000, RopeScaling.NONE, layout), 16);
            float[] v = new float[hd];
            v[1] = 1f; // interleaved: pair (0,1); half: pair (1,5)
            rope.apply(v, 0, 1, 3);
            double angle = 3 * Math.pow(10000, -(layout == RopeLayout.INTERLEAVED ? 0 : 2.0) / hd);
            int partner = layout == RopeLayout.INTERLEAVED ? 0 : 5;
            assertThat((double) v[1]).isCloseTo(Math.cos(angle), Offset.offset(1e-6));
            assertThat((double) v[partner]).isCloseTo(layout == RopeLayout.INTERLEAVED ? -Math.sin(angle) : Math.sin(angle), Offset.offset(1e-6));
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertThat(norm).isCloseTo(1.0, Offset.offset(1e-6));
        }
    }

    @Test
    void linearScalingDividesPositions() {
        LlamaConfig plain = config(8, 10000, RopeScaling.NONE, RopeLayout.INTERLEAVED);
        LlamaConfig scaled = config(8, 10000, RopeScaling.linear(4), RopeLayout.INTERLEAVED);
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8};
        float[] b = a.clone();
        new Rope(plain, 16).apply(a, 0, 1, 2);
        new Rope(scaled, 16).apply(b, 0, 1, 8);
        assertThat(b).containsExactly(a, Offset.offset(1e-5f));
    }
}
