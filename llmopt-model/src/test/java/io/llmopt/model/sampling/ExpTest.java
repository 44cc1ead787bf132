package io.llmopt.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Exp} against its specification, {@link StrictMath#exp}. */
class ExpTest {
    private static final double MAX_RELATIVE_ERROR = 1e-13;

    @Test
    void agreesWithStrictMathOnRandomAndAwkwardArguments() {
        Random random = new Random(31);
        double worst = 0;
        double[] edges = {0, -0.0, -Double.MIN_VALUE, -1e-300, -1e-12, -0.34657359027997264, -0.3465735902799727,
            -Math.log(2), -1, -0.5, -20.5, -87.3, -103.97, -104, -700, -707.999, -708 + 1e-9};
        for (double x : edges) {
            worst = Math.max(worst, relativeError(x));
        }
        for (int i = 0; i < 200_000; i++) {
            double x = i % 2 == 0 ? -random.nextDouble() * 708 : -random.nextDouble() * 2;
            worst = Math.max(worst, relativeError(x));
        }
        assertThat(worst).isLessThan(MAX_RELATIVE_ERROR);
    }

    @Test
    void exactWhereItMattersAndZeroBelowTheRange() {
        assertThat(Exp.ofNonPositive(0)).isEqualTo(1.0); // the best token's weight is exactly 1
        assertThat(Exp.ofNonPositive(-708)).isZero();
        assertThat(Exp.ofNonPositive(-1e6)).isZero();
        assertThat(Exp.ofNonPositive(Double.NEGATIVE_INFINITY)).isZero();
    }

    @Test
    void monotoneOnAFineGrid() {
        double previous = 0;
        for (int i = -100_000; i <= 0; i++) {
            double y = Exp.ofNonPositive(i * 1e-4);
            assertThat(y).isGreaterThanOrEqualTo(previous);
            previous = y;
        }
    }

    private static double relativeError(double x) {
        double want = StrictMath.exp(x);
        return Math.abs(Exp.ofNonPositive(x) - want) / want;
    }
}
