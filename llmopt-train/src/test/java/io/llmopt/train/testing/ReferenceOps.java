package io.llmopt.train.testing;

import io.llmopt.model.RopeLayout;

/**
 * Float64 reference implementations of the training ops, written directly from their formulas (no shared
 * code with the float ops under test). Finite differences of these are the expected gradients.
 */
public final class ReferenceOps {
    private ReferenceOps() {
    }

    /** out [R][OC] = inp [R][C]·Wᵀ + bias (bias may be null). */
    public static double[] matmul(double[] inp, double[] w, double[] bias, int rows, int c, int oc) {
        double[] out = new double[rows * oc];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < oc; o++) {
                double s = bias == null ? 0 : bias[o];
                for (int i = 0; i < c; i++) {
                    s += inp[r * c + i] * w[o * c + i];
                }
                out[r * oc + o] = s;
            }
        }
        return out;
    }

    public static double[] rmsnorm(double[] x, double[] w, double eps, int rows, int c) {
        double[] out = new double[rows * c];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int i = 0; i < c; i++) {
                ss += x[r * c + i] * x[r * c + i];
            }
            double s = 1 / Math.sqrt(ss / c + eps);
            for (int i = 0; i < c; i++) {
                out[r * c + i] = w[i] * x[r * c + i] * s;
            }
        }
        return out;
    }

    public static double[] swiglu(double[] gate, double[] up) {
        double[] out = new double[gate.length];
        for (int i = 0; i < gate.length; i++) {
            out[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        }
        return out;
    }

    /** RoPE without scaling: θ_i = pos·base^(−2i/ropeDim), row r at position r mod T. */
    public static double[] rope(double[] x, int rows, int heads, int headDim, int ropeDim, double base, RopeLayout layout,
            int seqLen) {
        double[] out = x.clone();
        int half = ropeDim / 2;
        for (int r = 0; r < rows; r++) {
            int pos = r % seqLen;
            for (int h = 0; h < heads; h++) {
                int o = (r * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    double angle = pos * Math.pow(base, -2.0 * i / ropeDim);
                    int a = layout == RopeLayout.INTERLEAVED ? o + 2 * i : o + i;
                    int b = layout == RopeLayout.INTERLEAVED ? a + 1 : a + half;
                    out[a] = x[a] * Math.cos(angle) - x[b] * Math.sin(angle);
                    out[b] = x[a] * Math.sin(angle) + x[b] * Math.cos(angle);
                }
            }
        }
        return out;
    }

    /** Causal GQA attention of B sequences of T tokens (window 0 = unlimited). */
    public static double[] attention(double[] q, double[] k, double[] v, int batch, int seqLen, int heads, int kvHeads,
            int headDim, int window) {
        int qd = heads * headDim;
        int kvd = kvHeads * headDim;
        double[] out = new double[batch * seqLen * qd];
        double scale = 1 / Math.sqrt(headDim);
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int kvh = h / (heads / kvHeads);
                for (int t = 0; t < seqLen; t++) {
                    int first = window > 0 ? Math.max(0, t - window + 1) : 0;
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int u = first; u <= t; u++) {
                        double dot = 0;
                        for (int i = 0; i < headDim; i++) {
                            dot += q[(b * seqLen + t) * qd + h * headDim + i] * k[(b * seqLen + u) * kvd + kvh * headDim + i];
                        }
                        s[u] = dot * scale;
                        max = Math.max(max, s[u]);
                    }
                    double sum = 0;
                    for (int u = first; u <= t; u++) {
                        s[u] = Math.exp(s[u] - max);
                        sum += s[u];
                    }
                    for (int u = first; u <= t; u++) {
                        for (int i = 0; i < headDim; i++) {
                            out[(b * seqLen + t) * qd + h * headDim + i] += s[u] / sum * v[(b * seqLen + u) * kvd + kvh * headDim + i];
                        }
                    }
                }
            }
        }
        return out;
    }

    public static double logSumExp(double[] z, int off, int n, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, z[off + j] / temperature);
        }
        double s = 0;
        for (int j = 0; j < n; j++) {
            s += Math.exp(z[off + j] / temperature - max);
        }
        return max + Math.log(s);
    }

    /** Σ_rows of cross-entropy. */
    public static double crossEntropy(double[] logits, int[] targets, int rows, int v) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            sum += logSumExp(logits, r * v, v, 1) - logits[r * v + targets[r]];
        }
        return sum;
    }

    /** Σ_rows of α·τ²·KL + (1 − α)·CE, forward KL(q‖p) or reverse KL(p‖q). */
    public static double distillation(double[] logits, double[] teacher, int[] targets, int rows, int v, double tau,
            double alpha, boolean reverse) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            double lseP = logSumExp(logits, r * v, v, tau);
            double lseQ = logSumExp(teacher, r * v, v, tau);
            double kl = 0;
            for (int j = 0; j < v; j++) {
                double logP = logits[r * v + j] / tau - lseP;
                double logQ = teacher[r * v + j] / tau - lseQ;
                kl += reverse ? Math.exp(logP) * (logP - logQ) : Math.exp(logQ) * (logQ - logP);
            }
            double ce = logSumExp(logits, r * v, v, 1) - logits[r * v + targets[r]];
            sum += alpha * tau * tau * kl + (1 - alpha) * ce;
        }
        return sum;
    }
}
