package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SwiGluTest {
    private static final float[] SPECIAL = {0f, -0f, 1e-40f, -1e-40f, 1e-30f, 87f, -87f, 87.5f, -87.5f, 88.8f, -88.8f, 100f, -100f,
            200f, -200f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MAX_VALUE, -Float.MAX_VALUE, 0.3465736f, -0.3465736f};

    private static float[][] data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] g = new float[n], u = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = i < SPECIAL.length ? SPECIAL[i] : (float) (r.nextGaussian() * (i % 3 == 0 ? 30 : 3));
            u[i] = (float) r.nextGaussian();
        }
        return new float[][] {g, u};
    }

    @Test
    void vectorLoopGivesTheScalarTwinsBitsOnAwkwardRanges() {
        for (int n : new int[] {1, 7, 31, 1003}) {
            for (int from : new int[] {0, 1, 5}) {
                if (from >= n) {
                    continue;
                }
                float[][] d = data(n, n * 31L + from);
                float[] g = d[0].clone();
                SwiGlu.apply(g, d[1], from, n);
                for (int i = 0; i < n; i++) {
                    float want = i < from ? d[0][i] : SwiGlu.scalar(d[0][i], d[1][i]);
                    assertThat(Float.floatToIntBits(g[i])).as("n %d from %d element %d (gate %s)", n, from, i, d[0][i])
                            .isEqualTo(Float.floatToIntBits(want));
                }
            }
        }
    }

    @Test
    void expIsWithinTwoUlpsOfTheDoubleReference() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (r.nextDouble() * 170 - 86);
            double want = Math.exp(x);
            float got = SwiGlu.exp(x);
            assertThat(Math.abs(got - want)).as("exp(%s)", x).isLessThanOrEqualTo(2 * Math.ulp((float) want));
        }
    }

    @Test
    void siluMatchesTheDefinition() {
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < 100_000; i++) {
            float g = (float) (r.nextGaussian() * 20);
            double want = g / (1 + Math.exp(-g));
            float got = SwiGlu.scalar(g, 1f);
            assertThat(Math.abs(got - want)).as("silu(%s)", g).isLessThanOrEqualTo(3 * Math.ulp((float) want) + 1e-30);
        }
        assertThat(SwiGlu.scalar(Float.NaN, 1f)).isNaN();
        assertThat(SwiGlu.scalar(-200f, 1f)).isEqualTo(-200f / (float) (Math.exp(87) + 1), org.assertj.core.data.Offset.offset(1e-36f));
        assertThat(SwiGlu.scalar(200f, 2f)).isEqualTo(400f);
    }
}
