package io.llmopt.train.testing;

import static org.assertj.core.api.Assertions.assertThat;

/** Compares an analytic (float) gradient with a finite-difference (float64) one and prints the error. */
public final class GradientAssert {
    private GradientAssert() {
    }

    public static double check(String what, float[] analytic, int analyticOff, double[] numeric, double tolerance) {
        double err = FiniteDifference.relativeError(analytic, analyticOff, numeric, 0, numeric.length);
        System.out.printf("gradient check %-40s max|Δ|/max|g| = %.2e (tolerance %.0e)%n", what, err, tolerance);
        assertThat(err).as(what + ": max |analytic − finite difference| / max |finite difference|").isLessThanOrEqualTo(tolerance);
        return err;
    }

    public static double check(String what, float[] analytic, double[] numeric, double tolerance) {
        return check(what, analytic, 0, numeric, tolerance);
    }

    /** max |actual − expected| over all elements. */
    public static double maxAbs(float[] actual, double[] expected) {
        double m = 0;
        for (int i = 0; i < expected.length; i++) {
            m = Math.max(m, Math.abs(actual[i] - expected[i]));
        }
        return m;
    }
}
