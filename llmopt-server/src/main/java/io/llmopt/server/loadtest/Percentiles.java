package io.llmopt.server.loadtest;

import java.util.Arrays;

/**
 * Summary of a sample: mean and percentiles with linear interpolation between closest ranks (numpy's default
 * {@code percentile(..., method="linear")}, as vLLM's benchmark reports them).
 */
public record Percentiles(int count, double mean, double p50, double p90, double p99, double max) {

    public static Percentiles of(double[] values) {
        if (values.length == 0) {
            return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        return new Percentiles(v.length, sum / v.length, at(v, 50), at(v, 90), at(v, 99), v[v.length - 1]);
    }

    /** The q-th percentile (0..100) of sorted values. */
    static double at(double[] sorted, double q) {
        double rank = q / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
