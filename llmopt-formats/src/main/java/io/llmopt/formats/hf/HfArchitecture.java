package io.llmopt.formats.hf;

import java.util.Arrays;
import java.util.Optional;

/**
 * The architectures llmopt accepts in {@code config.json}, with their {@code model_type} and the transformers
 * defaults that differ between them.
 */
public enum HfArchitecture {
    /** Llama 1/2/3 and derivatives; {@code attention_bias} adds biases to q, k, v and o. */
    LLAMA("LlamaForCausalLM", "llama", false),
    /** Mistral: Llama with an optional sliding attention window ({@code sliding_window}, 4096 when absent). */
    MISTRAL("MistralForCausalLM", "mistral", false),
    /**
     * Qwen2 / Qwen2.5: Llama with biases on q, k and v (never on o), and sliding-window attention on layers
     * at or after {@code max_window_layers} when {@code use_sliding_window} is set.
     */
    QWEN2("Qwen2ForCausalLM", "qwen2", true);

    private final String className;
    private final String modelType;
    private final boolean defaultAttentionBias;

    HfArchitecture(String className, String modelType, boolean defaultAttentionBias) {
        this.className = className;
        this.modelType = modelType;
        this.defaultAttentionBias = defaultAttentionBias;
    }

    /** The transformers class name, as listed in {@code "architectures"}. */
    public String className() {
        return className;
    }

    /** The {@code "model_type"} transformers pairs with this class. */
    public String modelType() {
        return modelType;
    }

    /** Whether q/k/v projections have biases when the config does not say. */
    public boolean defaultAttentionBias() {
        return defaultAttentionBias;
    }

    public static Optional<HfArchitecture> byClassName(String name) {
        return Arrays.stream(values()).filter(a -> a.className.equals(name)).findFirst();
    }

    /** "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM", for error messages. */
    public static String classNames() {
        return String.join(", ", Arrays.stream(values()).map(HfArchitecture::className).toList());
    }
}
