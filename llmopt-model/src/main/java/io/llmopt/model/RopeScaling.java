package io.llmopt.model;

import io.llmopt.tensor.LlmoptException;

/**
 * Context-extension schemes for RoPE frequencies.
 *
 * <ul>
 *   <li>{@code NONE}: θ_i = base^(−2i/d).</li>
 *   <li>{@code LINEAR}: positions divided by {@code factor}.</li>
 *   <li>{@code LLAMA3}: Llama 3.1's per-frequency rule: wavelengths shorter than
 *       original/highFreqFactor are kept, longer than original/lowFreqFactor divided by factor, smoothly
 *       interpolated in between.</li>
 *   <li>{@code DYNAMIC}: HF's dynamic NTK: when the sequence exceeds the original context the base becomes
 *       base·((factor·len/original) − (factor − 1))^(d/(d−2)); applied for the cache's full context length.</li>
 *   <li>{@code FACTORS}: θ_i divided by a stored per-frequency factor — how llama.cpp's GGUF files carry Llama 3
 *       scaling (the {@code rope_freqs.weight} tensor).</li>
 * </ul>
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor, int originalContext,
        float[] frequencyFactors) {

    public enum Type { NONE, LINEAR, LLAMA3, DYNAMIC, FACTORS }

    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1, 0, 0, 0, null);

    public RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {
        this(type, factor, lowFreqFactor, highFreqFactor, originalContext, null);
    }

    public RopeScaling {
        if (type == Type.FACTORS) {
            if (frequencyFactors == null || frequencyFactors.length == 0) {
                throw new LlmoptException("RoPE frequency factors are missing");
            }
            for (float f : frequencyFactors) {
                if (!(f > 0) || Float.isInfinite(f)) {
                    throw new LlmoptException("RoPE frequency factors must be positive and finite, got " + f);
                }
            }
            frequencyFactors = frequencyFactors.clone();
        }
        if (type != Type.NONE && type != Type.FACTORS && !(factor > 0)) {
            throw new LlmoptException("rope_scaling.factor must be > 0, got " + factor);
        }
        if (type == Type.LLAMA3 && (!(lowFreqFactor > 0) || !(highFreqFactor > lowFreqFactor) || originalContext <= 0)) {
            throw new LlmoptException("rope_scaling (llama3) needs 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0");
        }
        if (type == Type.DYNAMIC && originalContext <= 0) {
            throw new LlmoptException("rope_scaling (dynamic) needs original_max_position_embeddings > 0");
        }
    }

    public static RopeScaling linear(double factor) {
        return new RopeScaling(Type.LINEAR, factor, 0, 0, 0);
    }

    public static RopeScaling llama3(double factor, double low, double high, int originalContext) {
        return new RopeScaling(Type.LLAMA3, factor, low, high, originalContext);
    }

    /** Per-frequency divisors (ropeDim/2 values), as in llama.cpp's rope_freqs.weight. */
    public static RopeScaling factors(float[] factors) {
        return new RopeScaling(Type.FACTORS, 1, 0, 0, 0, factors);
    }

    /** The llama.cpp rope_freqs factors equivalent to this scaling: θ_original / θ_scaled for each frequency. */
    public float[] toFrequencyFactors(double[] original, double[] scaled) {
        float[] f = new float[original.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) (original[i] / scaled[i]);
        }
        return f;
    }

    public static RopeScaling dynamic(double factor, int originalContext) {
        return new RopeScaling(Type.DYNAMIC, factor, 0, 0, originalContext);
    }
}
