package io.llmopt.model;

/** RMSNorm: out = x / sqrt(mean(x²) + ε) ⊙ weight, over one vector of length n. */
public final class RmsNorm {
    private RmsNorm() {
    }

    public static void apply(float[] out, int outOffset, float[] x, int xOffset, float[] weight, float eps) {
        int n = weight.length;
        float ss = 0f;
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            ss += v * v;
        }
        float scale = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = weight[i] * (scale * x[xOffset + i]);
        }
    }
}
