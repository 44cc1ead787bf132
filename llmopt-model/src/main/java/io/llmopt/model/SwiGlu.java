package io.llmopt.model;

/** SwiGLU gating: gate[i] = silu(gate[i]) · up[i], with silu(x) = x / (1 + e^−x). */
public final class SwiGlu {
    private SwiGlu() {
    }

    public static void apply(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }
}
