package io.llmopt.model.loader;

import io.llmopt.formats.hf.HfConfig;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.LlmoptException;

/** Maps a Hugging Face config.json onto {@link LlamaConfig}. */
public final class HfConfigs {
    private HfConfigs() {
    }

    /** HF checkpoints use rotate-half RoPE; o_proj/MLP biases and Qwen2 per-layer sliding windows are rejected. */
    public static LlamaConfig toLlamaConfig(HfConfig hf, String source) {
        if (hf.mlpBias() || hf.outputProjectionBias()) {
            throw new LlmoptException(source + ": mlp_bias / o_proj bias are not supported (attention_bias on Llama adds an o_proj bias)");
        }
        int window = 0;
        String arch = hf.architecture().name().toLowerCase(java.util.Locale.ROOT);
        if (hf.slidingWindow().isPresent() && (arch.equals("mistral") || hf.useSlidingWindow())) {
            if (arch.equals("qwen2")) {
                throw new LlmoptException(source + ": Qwen2 use_sliding_window = true is not supported");
            }
            window = hf.slidingWindow().getAsInt();
        }
        RopeScaling scaling = hf.ropeScaling().map(r -> switch (r.type()) {
            case LINEAR -> RopeScaling.linear(r.factor());
            case DYNAMIC -> RopeScaling.dynamic(r.factor(), hf.maxPositionEmbeddings());
            case LLAMA3 -> RopeScaling.llama3(r.factor(), r.lowFreqFactor().orElseThrow(), r.highFreqFactor().orElseThrow(),
                    r.originalMaxPositionEmbeddings().orElseThrow());
            default -> throw new LlmoptException(source + ": rope_scaling type " + r.type().jsonName() + " is not supported");
        }).orElse(RopeScaling.NONE);
        return new LlamaConfig(arch, hf.hiddenSize(), hf.intermediateSize(), hf.numHiddenLayers(), hf.numAttentionHeads(),
                hf.numKeyValueHeads(), hf.headDim(), hf.vocabSize(), (float) hf.rmsNormEps(), hf.ropeTheta(), hf.headDim(),
                RopeLayout.HALF, scaling, hf.maxPositionEmbeddings(), hf.tieWordEmbeddings(), hf.qkvBias(), window);
    }

}
