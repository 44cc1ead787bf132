package io.llmopt.model;

/** Public access to the RoPE frequencies θ_i a config implies (used by writers that store scaling as factors). */
public final class RopeFrequencies {
    private RopeFrequencies() {
    }

    public static double[] of(LlamaConfig c, int contextLength) {
        return Rope.frequencies(c, contextLength);
    }
}
