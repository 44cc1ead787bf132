package io.llmopt.train.testing;

import java.util.function.ToDoubleFunction;

/**
 * Central finite differences of a float64 scalar function, and the error measure every gradient check uses:
 * the largest absolute difference divided by the largest magnitude of the reference gradient, so one named
 * tolerance fits tensors of any scale.
 */
public final class FiniteDifference {
    /** Step of the central difference: error O(h²) ≈ 1e-10 relative, rounding O(ε/h) ≈ 1e-10 in float64. */
    public static final double STEP = 1e-5;

    private FiniteDifference() {
    }

    /** ∂f/∂x_i for every i, perturbing x in place (restored afterwards). */
    public static double[] gradient(double[] x, ToDoubleFunction<double[]> f) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            g[i] = partial(x, i, f);
        }
        return g;
    }

    public static double partial(double[] x, int i, ToDoubleFunction<double[]> f) {
        double saved = x[i];
        x[i] = saved + STEP;
        double plus = f.applyAsDouble(x);
        x[i] = saved - STEP;
        double minus = f.applyAsDouble(x);
        x[i] = saved;
        return (plus - minus) / (2 * STEP);
    }

    /** max_i |actual_i − expected_i| / max(max_i |expected_i|, 1e-12), over [from, to). */
    public static double relativeError(float[] actual, int actualOff, double[] expected, int from, int to) {
        double maxDiff = 0;
        double maxRef = 1e-12;
        for (int i = from; i < to; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[actualOff + i - from] - expected[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxDiff / maxRef;
    }

    public static double relativeError(float[] actual, double[] expected) {
        return relativeError(actual, 0, expected, 0, expected.length);
    }

    public static double[] toDouble(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    public static float[] randomFloats(java.util.Random rng, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextGaussian() * scale);
        }
        return x;
    }

    /** Σ_i w_i·y_i: the scalar whose gradient with respect to y is w (the "upstream gradient"). */
    public static double project(double[] y, float[] w) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += y[i] * w[i];
        }
        return s;
    }
}
