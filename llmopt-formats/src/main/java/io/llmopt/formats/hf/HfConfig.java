package io.llmopt.formats.hf;

import io.llmopt.tensor.LlmoptException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A validated Hugging Face {@code config.json} of a Llama-family causal LM. Component names are the camel-case
 * forms of the JSON fields (documented where the meaning is not obvious); validation messages use the JSON
 * names. Fields transformers reads but llmopt does not need ({@code initializer_range}, {@code use_cache},
 * {@code pretraining_tp}, dropout rates, ...) are ignored when read and not written.
 *
 * @param architecture            the single supported entry of {@code architectures}; {@code model_type} must match it
 * @param numKeyValueHeads        {@code num_key_value_heads}; defaults to {@code num_attention_heads} (no GQA)
 * @param headDim                 {@code head_dim}; defaults to {@code hidden_size / num_attention_heads}
 * @param ropeScaling             {@code rope_scaling}; empty for null or {@code {"rope_type": "default"}}
 * @param attentionBias           {@code attention_bias}: q/k/v (and for Llama also o) projections have biases; Qwen2 defaults to true
 * @param slidingWindow           {@code sliding_window} (Mistral: 4096 when absent, may be null; Qwen2: used only with {@code use_sliding_window})
 * @param useSlidingWindow        {@code use_sliding_window} (Qwen2 only; false otherwise)
 * @param maxWindowLayers         {@code max_window_layers} (Qwen2: layers before this index use full attention; default 28)
 * @param eosTokenIds             {@code eos_token_id}, an int or a list in the file; empty when absent
 * @param torchDtype              {@code torch_dtype} (or {@code dtype}, its newer name): float32, float16, bfloat16 or float64
 */
public record HfConfig(
        HfArchitecture architecture,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int numKeyValueHeads,
        int headDim,
        int vocabSize,
        int maxPositionEmbeddings,
        double rmsNormEps,
        double ropeTheta,
        Optional<RopeScaling> ropeScaling,
        boolean tieWordEmbeddings,
        boolean attentionBias,
        boolean mlpBias,
        OptionalInt slidingWindow,
        boolean useSlidingWindow,
        OptionalInt maxWindowLayers,
        OptionalInt bosTokenId,
        List<Integer> eosTokenIds,
        String hiddenAct,
        Optional<String> torchDtype) {

    /** The config file name inside a model directory. */
    public static final String FILE_NAME = "config.json";
    static final Set<String> TORCH_DTYPES = Set.of("float32", "float16", "bfloat16", "float64");

    public HfConfig {
        if (architecture == null) {
            throw new LlmoptException("field 'architectures' is required");
        }
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numHiddenLayers);
        positive("num_attention_heads", numAttentionHeads);
        positive("num_key_value_heads", numKeyValueHeads);
        positive("head_dim", headDim);
        positive("vocab_size", vocabSize);
        positive("max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw new LlmoptException("field 'num_key_value_heads' (" + numKeyValueHeads + ") must divide num_attention_heads ("
                    + numAttentionHeads + ")");
        }
        if (headDim % 2 != 0) {
            throw new LlmoptException("field 'head_dim' (" + headDim + ") must be even for rotary embeddings");
        }
        if (!(rmsNormEps > 0) || Double.isInfinite(rmsNormEps)) {
            throw new LlmoptException("field 'rms_norm_eps' must be a positive finite number, got " + rmsNormEps);
        }
        if (!(ropeTheta > 0) || Double.isInfinite(ropeTheta)) {
            throw new LlmoptException("field 'rope_theta' must be a positive finite number, got " + ropeTheta);
        }
        if (slidingWindow.isPresent()) {
            positive("sliding_window", slidingWindow.getAsInt());
        }
        if (maxWindowLayers.isPresent() && maxWindowLayers.getAsInt() < 0) {
            throw new LlmoptException("field 'max_window_layers' must not be negative, got " + maxWindowLayers.getAsInt());
        }
        if (bosTokenId.isPresent() && bosTokenId.getAsInt() < 0) {
            throw new LlmoptException("field 'bos_token_id' must not be negative, got " + bosTokenId.getAsInt());
        }
        eosTokenIds = List.copyOf(eosTokenIds);
        for (int id : eosTokenIds) {
            if (id < 0) {
                throw new LlmoptException("field 'eos_token_id' must not be negative, got " + id);
            }
        }
        if (!"silu".equals(hiddenAct)) {
            throw new LlmoptException("field 'hidden_act' must be \"silu\" for " + architecture.className() + ", got \"" + hiddenAct + "\"");
        }
        if (torchDtype.isPresent() && !TORCH_DTYPES.contains(torchDtype.get())) {
            throw new LlmoptException("field 'torch_dtype' must be one of float32, float16, bfloat16, float64, got \"" + torchDtype.get() + "\"");
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new LlmoptException("field '" + field + "' must be a positive integer, got " + value);
        }
    }

    /** Reads {@code path}: a {@code config.json} file or a model directory containing one. */
    public static HfConfig read(Path path) {
        return HfConfigJson.read(path);
    }

    /** Parses config JSON text; {@code source} names it in error messages (usually the file path). */
    public static HfConfig parse(String json, String source) {
        return HfConfigJson.parse(json, source);
    }

    /** The config as transformers writes it: 2-space indented JSON with sorted keys and a final newline. */
    public String toJson() {
        return HfConfigJson.toJson(this);
    }

    /** Writes {@link #toJson()} to {@code path} (a file, or a directory that gets a {@code config.json}), atomically. */
    public void write(Path path) {
        HfConfigJson.write(this, path);
    }

    /** A builder with transformers' defaults for {@code architecture}; the required sizes must be set. */
    public static HfConfigBuilder builder(HfArchitecture architecture) {
        return new HfConfigBuilder(architecture);
    }

    /** A builder initialised with every field of this config. */
    public HfConfigBuilder toBuilder() {
        return new HfConfigBuilder(this);
    }

    public String modelType() {
        return architecture.modelType();
    }

    /** Whether q_proj, k_proj and v_proj have bias vectors. */
    public boolean qkvBias() {
        return attentionBias;
    }

    /** Whether o_proj has a bias vector: Llama's {@code attention_bias} covers it, Qwen2's never does. */
    public boolean outputProjectionBias() {
        return attentionBias && architecture != HfArchitecture.QWEN2;
    }

    /** Query heads sharing one key/value head. */
    public int queryGroupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /**
     * The attention window of layer {@code layer}, empty for full causal attention. Mistral applies
     * {@code sliding_window} to every layer; Qwen2 only when {@code use_sliding_window} is set and only to layers
     * {@code >= max_window_layers}; Llama never.
     */
    public OptionalInt slidingWindowForLayer(int layer) {
        if (layer < 0 || layer >= numHiddenLayers) {
            throw new IndexOutOfBoundsException("layer " + layer + " of " + numHiddenLayers);
        }
        return switch (architecture) {
            case LLAMA -> OptionalInt.empty();
            case MISTRAL -> slidingWindow;
            case QWEN2 -> useSlidingWindow && layer >= maxWindowLayers.orElse(0) ? slidingWindow : OptionalInt.empty();
        };
    }
}
