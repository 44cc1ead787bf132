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
 * </ul>
 */
public record RopeScaling(Type type, double factor, double lowFreqFactor, double highFreqFactor, int originalContext) {

    public enum Type { NONE, LINEAR, LLAMA3, DYNAMIC }

    public static final RopeScaling NONE = new RopeScaling(Type.NONE, 1, 0, 0, 0);

    public RopeScaling {
        if (type != Type.NONE && !(factor > 0)) {
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

    public static RopeScaling dynamic(double factor, int originalContext) {
        return new RopeScaling(Type.DYNAMIC, factor, 0, 0, originalContext);
    }
}
