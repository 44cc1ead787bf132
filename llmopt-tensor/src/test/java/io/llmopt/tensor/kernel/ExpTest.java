package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExpTest {
    @Test
    void vectorLanesGiveTheScalarTwinsBitsOnAwkwardRanges() {
        float[] special = {0f, -0f, -1e-40f, -87f, -87.4f, -100f, Float.NEGATIVE_INFINITY, Float.NaN, 86f, 88f, 200f, -0.3465736f, 0.3465736f};
        SplittableRandom r = new SplittableRandom(3);
        for (int n : new int[] {1, 5, 16, 33, 517}) {
            for (int o : new int[] {0, 3}) {
                float[] s = new float[o + n + 2];
                for (int i = 0; i < s.length; i++) {
                    s[i] = i < special.length ? special[i] : (float) (r.nextGaussian() * 20);
                }
                float[] want = s.clone();
                float shift = n % 2 == 0 ? 0f : 1.5f;
                for (int i = o; i < o + n; i++) {
                    want[i] = Exp.exp(s[i] - shift);
                }
                Exp.shifted(s, o, n, shift);
                for (int i = 0; i < s.length; i++) {
                    assertThat(Float.floatToIntBits(s[i])).as("n %d o %d element %d", n, o, i).isEqualTo(Float.floatToIntBits(want[i]));
                }
            }
        }
    }

    @Test
    void withinTwoUlpsOfTheExactValueAndClampedOutside() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (r.nextDouble() * 170 - 86);
            double want = Math.exp(x);
            assertThat((double) Math.abs(Exp.exp(x) - (float) want)).as("exp(%s)", x).isLessThanOrEqualTo(2.0 * Math.ulp((float) want));
        }
        assertThat(Exp.exp(0f)).isEqualTo(1f);
        assertThat(Exp.exp(Float.NEGATIVE_INFINITY)).isEqualTo(Exp.exp(Exp.LO)).isPositive().isLessThan(2e-38f);
        assertThat(Exp.exp(1000f)).isEqualTo(Exp.exp(Exp.HI)).isFinite();
        assertThat(Exp.exp(Float.NaN)).isNaN();
    }
}
