package io.llmopt.model;

import io.llmopt.tensor.LlmoptException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shapes of real published models, for random-weight models made by {@code llmopt init} (speed work does not
 * depend on weight values) and as starting points for students. Values follow each model's config.json.
 */
public final class ModelPresets {
    private static final Map<String, LlamaConfig> PRESETS = new LinkedHashMap<>();

    static {
        // JackFram/llama-160m
        add("llama-160m", new LlamaConfig("llama", 768, 3072, 12, 12, 12, 64, 32000, 1e-6f, 10000, 64,
                RopeLayout.INTERLEAVED, RopeScaling.NONE, 2048, false, false, 0));
        // TinyLlama/TinyLlama-1.1B-intermediate-step-1431k-3T
        add("tinyllama-1.1b", new LlamaConfig("llama", 2048, 5632, 22, 32, 4, 64, 32000, 1e-5f, 10000, 64,
                RopeLayout.INTERLEAVED, RopeScaling.NONE, 2048, false, false, 0));
        // meta-llama/Llama-3.2-1B
        add("llama-3.2-1b", new LlamaConfig("llama", 2048, 8192, 16, 32, 8, 64, 128256, 1e-5f, 500000, 64,
                RopeLayout.INTERLEAVED, RopeScaling.llama3(32, 1, 4, 8192), 131072, true, false, 0));
        // Qwen/Qwen2.5-0.5B
        add("qwen2.5-0.5b", new LlamaConfig("qwen2", 896, 4864, 24, 14, 2, 64, 151936, 1e-6f, 1000000, 64,
                RopeLayout.HALF, RopeScaling.NONE, 32768, true, true, 0));
        // meta-llama/Llama-2-7b-hf
        add("llama-2-7b", new LlamaConfig("llama", 4096, 11008, 32, 32, 32, 128, 32000, 1e-5f, 10000, 128,
                RopeLayout.INTERLEAVED, RopeScaling.NONE, 4096, false, false, 0));
        // mistralai/Mistral-7B-v0.1
        add("mistral-7b", new LlamaConfig("mistral", 4096, 14336, 32, 32, 8, 128, 32000, 1e-5f, 10000, 128,
                RopeLayout.INTERLEAVED, RopeScaling.NONE, 32768, false, false, 4096));
        // the shape of ../shared's stories260K (dim 64, GQA 8/4, hidden 172), handy for tiny tests
        add("stories260k", new LlamaConfig("llama", 64, 172, 5, 8, 4, 8, 512, 1e-5f, 10000, 8,
                RopeLayout.INTERLEAVED, RopeScaling.NONE, 512, true, false, 0));
    }

    private ModelPresets() {
    }

    private static void add(String name, LlamaConfig c) {
        PRESETS.put(name, c);
    }

    public static Map<String, LlamaConfig> all() {
        return java.util.Collections.unmodifiableMap(PRESETS);
    }

    public static LlamaConfig get(String name) {
        LlamaConfig c = PRESETS.get(name.toLowerCase(java.util.Locale.ROOT));
        if (c == null) {
            throw new LlmoptException("unknown preset '" + name + "', expected one of " + String.join(", ", PRESETS.keySet()));
        }
        return c;
    }
}
