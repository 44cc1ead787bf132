package io.llmopt.formats.hf;

import io.llmopt.tensor.LlmoptException;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * The {@code rope_scaling} object of {@code config.json}: how RoPE frequencies are stretched for long contexts.
 * Field names in the comments are the JSON ones.
 *
 * @param type                          {@code rope_type} (or the legacy {@code type})
 * @param factor                        {@code factor}: context extension ratio, &gt; 0
 * @param lowFreqFactor                 {@code low_freq_factor} (llama3; required there)
 * @param highFreqFactor                {@code high_freq_factor} (llama3; required there, &gt; low_freq_factor)
 * @param originalMaxPositionEmbeddings {@code original_max_position_embeddings} (llama3: required; yarn: optional)
 * @param attentionFactor               {@code attention_factor} (yarn, optional)
 * @param betaFast                      {@code beta_fast} (yarn, optional; transformers' default 32)
 * @param betaSlow                      {@code beta_slow} (yarn, optional; transformers' default 1)
 */
public record RopeScaling(Type type, double factor, OptionalDouble lowFreqFactor, OptionalDouble highFreqFactor,
                          OptionalInt originalMaxPositionEmbeddings, OptionalDouble attentionFactor,
                          OptionalDouble betaFast, OptionalDouble betaSlow) {

    /** The scaling schemes llmopt can read; which of them an engine implements is the model layer's business. */
    public enum Type {
        LINEAR("linear"), DYNAMIC("dynamic"), LLAMA3("llama3"), YARN("yarn");

        private final String jsonName;

        Type(String jsonName) {
            this.jsonName = jsonName;
        }

        public String jsonName() {
            return jsonName;
        }

        public static Optional<Type> byJsonName(String name) {
            return Arrays.stream(values()).filter(t -> t.jsonName.equals(name)).findFirst();
        }

        static String jsonNames() {
            return String.join(", ", Arrays.stream(values()).map(Type::jsonName).toList());
        }
    }

    public RopeScaling {
        if (type == null) {
            throw new LlmoptException("rope_scaling: missing rope_type");
        }
        positive("factor", factor);
        lowFreqFactor.ifPresent(v -> positive("low_freq_factor", v));
        highFreqFactor.ifPresent(v -> positive("high_freq_factor", v));
        attentionFactor.ifPresent(v -> positive("attention_factor", v));
        betaFast.ifPresent(v -> positive("beta_fast", v));
        betaSlow.ifPresent(v -> positive("beta_slow", v));
        if (originalMaxPositionEmbeddings.isPresent() && originalMaxPositionEmbeddings.getAsInt() <= 0) {
            throw new LlmoptException("rope_scaling: original_max_position_embeddings must be positive, got "
                    + originalMaxPositionEmbeddings.getAsInt());
        }
        if (type == Type.LLAMA3) {
            if (lowFreqFactor.isEmpty() || highFreqFactor.isEmpty() || originalMaxPositionEmbeddings.isEmpty()) {
                throw new LlmoptException("rope_scaling: llama3 needs factor, low_freq_factor, high_freq_factor and original_max_position_embeddings");
            }
            if (highFreqFactor.getAsDouble() <= lowFreqFactor.getAsDouble()) {
                throw new LlmoptException("rope_scaling: high_freq_factor (" + highFreqFactor.getAsDouble()
                        + ") must be greater than low_freq_factor (" + lowFreqFactor.getAsDouble() + ")");
            }
        }
    }

    private static void positive(String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new LlmoptException("rope_scaling: " + field + " must be a positive finite number, got " + v);
        }
    }

    /** {@code {"rope_type": "linear", "factor": factor}}. */
    public static RopeScaling linear(double factor) {
        return simple(Type.LINEAR, factor);
    }

    /** {@code {"rope_type": "dynamic", "factor": factor}} (dynamic NTK). */
    public static RopeScaling dynamic(double factor) {
        return simple(Type.DYNAMIC, factor);
    }

    /** Llama 3.1's scheme, e.g. {@code llama3(8, 1, 4, 8192)}. */
    public static RopeScaling llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings) {
        return new RopeScaling(Type.LLAMA3, factor, OptionalDouble.of(lowFreqFactor), OptionalDouble.of(highFreqFactor),
                OptionalInt.of(originalMaxPositionEmbeddings), OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty());
    }

    private static RopeScaling simple(Type type, double factor) {
        return new RopeScaling(type, factor, OptionalDouble.empty(), OptionalDouble.empty(), OptionalInt.empty(),
                OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty());
    }
}
