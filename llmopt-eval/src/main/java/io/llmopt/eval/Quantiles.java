package io.llmopt.eval;

import java.util.Arrays;

/**
 * Order statistics of a sample, interpolated linearly between ranks as llama-perplexity's KL report does
 * (value at fraction f = linear interpolation at rank f·(n − 1)); the median is the middle value or the
 * mean of the two middle values.
 */
public record Quantiles(double min, double p0_1, double p1, double p5, double p10, double p25, double median,
        double p75, double p90, double p95, double p99, double p99_9, double max) {

    public static final Quantiles EMPTY = new Quantiles(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    /** Quantiles of values[0 .. n) (the array is not modified). */
    public static Quantiles of(float[] values, int n) {
        if (n == 0) {
            return EMPTY;
        }
        float[] s = Arrays.copyOf(values, n);
        Arrays.sort(s);
        double median = n % 2 == 0 ? (s[n / 2] + (double) s[n / 2 - 1]) / 2 : s[n / 2];
        return new Quantiles(s[0], at(s, 0.001), at(s, 0.01), at(s, 0.05), at(s, 0.10), at(s, 0.25), median,
                at(s, 0.75), at(s, 0.90), at(s, 0.95), at(s, 0.99), at(s, 0.999), s[n - 1]);
    }

    static double at(float[] sorted, double fraction) {
        double p = fraction * (sorted.length - 1);
        int i = (int) p;
        double frac = p - i;
        return (1 - frac) * sorted[i] + frac * sorted[Math.min(i + 1, sorted.length - 1)];
    }
}
