package io.llmopt.model.loader;

import io.llmopt.model.RopeLayout;
import io.llmopt.tensor.LlmoptException;

/**
 * The Llama-family architectures llmopt runs. They share one forward pass; what differs is named here:
 * their names in GGUF and HF files, the RoPE pairing llama.cpp uses for their GGUF files, and whether q/k/v
 * projections carry biases by default.
 */
public enum Architecture {
    LLAMA("llama", "LlamaForCausalLM", RopeLayout.INTERLEAVED, false),
    MISTRAL("mistral", "MistralForCausalLM", RopeLayout.INTERLEAVED, false),
    QWEN2("qwen2", "Qwen2ForCausalLM", RopeLayout.HALF, true);

    private final String ggufName;
    private final String hfClass;
    private final RopeLayout ggufRopeLayout;
    private final boolean attentionBias;

    Architecture(String ggufName, String hfClass, RopeLayout ggufRopeLayout, boolean attentionBias) {
        this.ggufName = ggufName;
        this.hfClass = hfClass;
        this.ggufRopeLayout = ggufRopeLayout;
        this.attentionBias = attentionBias;
    }

    public String ggufName() {
        return ggufName;
    }

    public String hfClass() {
        return hfClass;
    }

    /** GGUF llama/mistral keep Meta's interleaved q/k rows; llama.cpp runs qwen2 with NEOX (half) RoPE. */
    public RopeLayout ggufRopeLayout() {
        return ggufRopeLayout;
    }

    public boolean attentionBias() {
        return attentionBias;
    }

    public static Architecture fromGguf(String name, String source) {
        for (Architecture a : values()) {
            if (a.ggufName.equals(name)) {
                return a;
            }
        }
        throw new LlmoptException(source + ": unsupported architecture '" + name + "' in general.architecture, expected one of llama, mistral, qwen2");
    }

    public static Architecture fromHfClass(String name, String source) {
        for (Architecture a : values()) {
            if (a.hfClass.equals(name)) {
                return a;
            }
        }
        throw new LlmoptException(source + ": unsupported architecture '" + name + "', expected one of LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM");
    }
}
