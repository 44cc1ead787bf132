package io.llmopt.formats.hf;

import io.llmopt.tensor.LlmoptException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Assembles an {@link HfConfig}, starting from transformers' defaults for the architecture: rope_theta 10000,
 * no rope scaling, untied embeddings, attention bias only for Qwen2, no MLP bias, hidden_act silu, Mistral's
 * sliding_window 4096, Qwen2's use_sliding_window false / sliding_window 4096 / max_window_layers 28.
 * {@code num_key_value_heads} and {@code head_dim} default to {@code num_attention_heads} and
 * {@code hidden_size / num_attention_heads} when left unset. The sizes, vocab, context length and
 * rms_norm_eps have no default; {@link #build()} validates everything.
 */
public final class HfConfigBuilder {
    private final HfArchitecture architecture;
    private int hiddenSize;
    private int intermediateSize;
    private int numHiddenLayers;
    private int numAttentionHeads;
    private OptionalInt numKeyValueHeads = OptionalInt.empty();
    private OptionalInt headDim = OptionalInt.empty();
    private int vocabSize;
    private int maxPositionEmbeddings;
    private double rmsNormEps;
    private double ropeTheta = 10000.0;
    private Optional<RopeScaling> ropeScaling = Optional.empty();
    private boolean tieWordEmbeddings;
    private boolean attentionBias;
    private boolean mlpBias;
    private OptionalInt slidingWindow;
    private boolean useSlidingWindow;
    private OptionalInt maxWindowLayers;
    private OptionalInt bosTokenId = OptionalInt.empty();
    private List<Integer> eosTokenIds = List.of();
    private String hiddenAct = "silu";
    private Optional<String> torchDtype = Optional.empty();

    HfConfigBuilder(HfArchitecture architecture) {
        this.architecture = architecture;
        this.attentionBias = architecture.defaultAttentionBias();
        this.slidingWindow = architecture == HfArchitecture.LLAMA ? OptionalInt.empty() : OptionalInt.of(4096);
        this.maxWindowLayers = architecture == HfArchitecture.QWEN2 ? OptionalInt.of(28) : OptionalInt.empty();
    }

    HfConfigBuilder(HfConfig c) {
        this(c.architecture());
        hiddenSize = c.hiddenSize();
        intermediateSize = c.intermediateSize();
        numHiddenLayers = c.numHiddenLayers();
        numAttentionHeads = c.numAttentionHeads();
        numKeyValueHeads = OptionalInt.of(c.numKeyValueHeads());
        headDim = OptionalInt.of(c.headDim());
        vocabSize = c.vocabSize();
        maxPositionEmbeddings = c.maxPositionEmbeddings();
        rmsNormEps = c.rmsNormEps();
        ropeTheta = c.ropeTheta();
        ropeScaling = c.ropeScaling();
        tieWordEmbeddings = c.tieWordEmbeddings();
        attentionBias = c.attentionBias();
        mlpBias = c.mlpBias();
        slidingWindow = c.slidingWindow();
        useSlidingWindow = c.useSlidingWindow();
        maxWindowLayers = c.maxWindowLayers();
        bosTokenId = c.bosTokenId();
        eosTokenIds = c.eosTokenIds();
        hiddenAct = c.hiddenAct();
        torchDtype = c.torchDtype();
    }

    public HfConfigBuilder hiddenSize(int v) {
        hiddenSize = v;
        return this;
    }

    public HfConfigBuilder intermediateSize(int v) {
        intermediateSize = v;
        return this;
    }

    public HfConfigBuilder numHiddenLayers(int v) {
        numHiddenLayers = v;
        return this;
    }

    public HfConfigBuilder numAttentionHeads(int v) {
        numAttentionHeads = v;
        return this;
    }

    public HfConfigBuilder numKeyValueHeads(int v) {
        numKeyValueHeads = OptionalInt.of(v);
        return this;
    }

    public HfConfigBuilder headDim(int v) {
        headDim = OptionalInt.of(v);
        return this;
    }

    public HfConfigBuilder vocabSize(int v) {
        vocabSize = v;
        return this;
    }

    public HfConfigBuilder maxPositionEmbeddings(int v) {
        maxPositionEmbeddings = v;
        return this;
    }

    public HfConfigBuilder rmsNormEps(double v) {
        rmsNormEps = v;
        return this;
    }

    public HfConfigBuilder ropeTheta(double v) {
        ropeTheta = v;
        return this;
    }

    /** {@code null} for no scaling. */
    public HfConfigBuilder ropeScaling(RopeScaling v) {
        ropeScaling = Optional.ofNullable(v);
        return this;
    }

    public HfConfigBuilder tieWordEmbeddings(boolean v) {
        tieWordEmbeddings = v;
        return this;
    }

    public HfConfigBuilder attentionBias(boolean v) {
        attentionBias = v;
        return this;
    }

    public HfConfigBuilder mlpBias(boolean v) {
        mlpBias = v;
        return this;
    }

    /** {@code null} for none (full attention). */
    public HfConfigBuilder slidingWindow(Integer v) {
        slidingWindow = v == null ? OptionalInt.empty() : OptionalInt.of(v);
        return this;
    }

    public HfConfigBuilder useSlidingWindow(boolean v) {
        useSlidingWindow = v;
        return this;
    }

    /** {@code null} for absent. */
    public HfConfigBuilder maxWindowLayers(Integer v) {
        maxWindowLayers = v == null ? OptionalInt.empty() : OptionalInt.of(v);
        return this;
    }

    /** {@code null} for absent. */
    public HfConfigBuilder bosTokenId(Integer v) {
        bosTokenId = v == null ? OptionalInt.empty() : OptionalInt.of(v);
        return this;
    }

    public HfConfigBuilder eosTokenIds(List<Integer> v) {
        eosTokenIds = List.copyOf(v);
        return this;
    }

    public HfConfigBuilder hiddenAct(String v) {
        hiddenAct = v;
        return this;
    }

    /** {@code null} for absent. */
    public HfConfigBuilder torchDtype(String v) {
        torchDtype = Optional.ofNullable(v);
        return this;
    }

    /** Validates and returns the config; errors name the JSON field. */
    public HfConfig build() {
        int heads = numAttentionHeads;
        int derivedHeadDim;
        if (headDim.isPresent()) {
            derivedHeadDim = headDim.getAsInt();
        } else if (heads > 0 && hiddenSize % heads != 0) {
            throw new LlmoptException("field 'head_dim' is absent and hidden_size (" + hiddenSize
                    + ") is not divisible by num_attention_heads (" + heads + ")");
        } else {
            derivedHeadDim = heads > 0 ? hiddenSize / heads : 0;
        }
        return new HfConfig(architecture, hiddenSize, intermediateSize, numHiddenLayers, heads, numKeyValueHeads.orElse(heads),
                derivedHeadDim, vocabSize, maxPositionEmbeddings, rmsNormEps, ropeTheta, ropeScaling,
                tieWordEmbeddings, attentionBias, mlpBias, slidingWindow, useSlidingWindow, maxWindowLayers, bosTokenId,
                eosTokenIds, hiddenAct, torchDtype);
    }
}
