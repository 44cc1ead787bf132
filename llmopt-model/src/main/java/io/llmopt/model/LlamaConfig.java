package io.llmopt.model;

import io.llmopt.tensor.LlmoptException;

/**
 * Hyper-parameters of a Llama-family decoder (Llama 1–3, Mistral, Qwen2), validated on construction.
 *
 * @param architecture    "llama", "mistral" or "qwen2" (names as GGUF's general.architecture)
 * @param ropeDim         number of leading dimensions of each head that RoPE rotates (usually headDim)
 * @param slidingWindow   attention window in tokens (Mistral), 0 for full causal attention
 * @param attentionBias   q/k/v projections have biases (Qwen2)
 * @param contextLength   the context the model was trained for (the default cache size)
 */
public record LlamaConfig(
        String architecture,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        float rmsNormEps,
        double ropeTheta,
        int ropeDim,
        RopeLayout ropeLayout,
        RopeScaling ropeScaling,
        int contextLength,
        boolean tiedEmbeddings,
        boolean attentionBias,
        int slidingWindow) {

    public LlamaConfig {
        positive("hidden_size", hiddenSize);
        positive("intermediate_size", intermediateSize);
        positive("num_hidden_layers", numLayers);
        positive("num_attention_heads", numHeads);
        positive("num_key_value_heads", numKvHeads);
        positive("head_dim", headDim);
        positive("vocab_size", vocabSize);
        positive("context_length", contextLength);
        if (numHeads % numKvHeads != 0) {
            throw new LlmoptException("num_attention_heads " + numHeads + " must be a multiple of num_key_value_heads " + numKvHeads);
        }
        if (ropeDim <= 0 || ropeDim > headDim || ropeDim % 2 != 0) {
            throw new LlmoptException("rope dimension " + ropeDim + " must be even and in 1.." + headDim);
        }
        if (!(rmsNormEps > 0) || !(ropeTheta > 0)) {
            throw new LlmoptException("rms_norm_eps and rope_theta must be positive, got " + rmsNormEps + ", " + ropeTheta);
        }
        if (slidingWindow < 0) {
            throw new LlmoptException("sliding_window must be >= 0, got " + slidingWindow);
        }
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new LlmoptException(field + " must be positive, got " + value);
        }
    }

    public int queryDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Heads of queries that share one key/value head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** Parameter count including a separate output matrix when not tied. */
    public long parameterCount() {
        long d = hiddenSize;
        long perLayer = 2 * d + d * queryDim() + 2L * d * kvDim() + (long) queryDim() * d + 3L * d * intermediateSize;
        if (attentionBias) {
            perLayer += queryDim() + 2L * kvDim();
        }
        return (long) vocabSize * d * (tiedEmbeddings ? 1 : 2) + numLayers * perLayer + d;
    }

    public LlamaConfig withRopeScaling(RopeScaling scaling) {
        return new LlamaConfig(architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                vocabSize, rmsNormEps, ropeTheta, ropeDim, ropeLayout, scaling, contextLength, tiedEmbeddings, attentionBias, slidingWindow);
    }

    public LlamaConfig withContextLength(int n) {
        return new LlamaConfig(architecture, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim,
                vocabSize, rmsNormEps, ropeTheta, ropeDim, ropeLayout, ropeScaling, n, tiedEmbeddings, attentionBias, slidingWindow);
    }
}
