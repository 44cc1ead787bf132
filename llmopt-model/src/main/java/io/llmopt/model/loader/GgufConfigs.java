package io.llmopt.model.loader;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.RopeScaling;
import io.llmopt.tensor.LlmoptException;

/** Reads a {@link LlamaConfig} from GGUF metadata ({@code <arch>.*} keys as llama.cpp writes them). */
public final class GgufConfigs {
    private GgufConfigs() {
    }

    /**
     * @param vocabSize  rows of token_embd (the tokenizer arrays may be padded differently)
     * @param hasOutput  whether the file has its own output.weight (otherwise embeddings are tied)
     */
    public static LlamaConfig read(GgufMetadata m, int vocabSize, boolean hasOutput) {
        return read(m, vocabSize, hasOutput, null);
    }

    /** @param ropeFactors the rope_freqs.weight values when the file has that tensor (Llama 3 scaling), else null */
    public static LlamaConfig read(GgufMetadata m, int vocabSize, boolean hasOutput, float[] ropeFactors) {
        String archName = m.getString("general.architecture");
        Architecture arch = Architecture.fromGguf(archName, m.source());
        String p = archName + ".";
        int hidden = m.getInt(p + "embedding_length");
        int heads = m.getInt(p + "attention.head_count");
        int kvHeads = m.contains(p + "attention.head_count_kv") ? m.getInt(p + "attention.head_count_kv") : heads;
        int headDim = m.contains(p + "attention.key_length") ? m.getInt(p + "attention.key_length") : hidden / heads;
        int ropeDim = m.contains(p + "rope.dimension_count") ? m.getInt(p + "rope.dimension_count") : headDim;
        double eps = m.findDouble(p + "attention.layer_norm_rms_epsilon").orElse(1e-5);
        double theta = m.findDouble(p + "rope.freq_base").orElse(10000.0);
        int context = m.getInt(p + "context_length");
        int window = m.contains(p + "attention.sliding_window") ? m.getInt(p + "attention.sliding_window") : 0;
        return new LlamaConfig(arch.ggufName(), hidden, m.getInt(p + "feed_forward_length"), m.getInt(p + "block_count"),
                heads, kvHeads, headDim, vocabSize, (float) eps, theta, ropeDim, arch.ggufRopeLayout(),
                ropeFactors != null ? RopeScaling.factors(ropeFactors) : ropeScaling(m, p),
                context, !hasOutput, arch.attentionBias(), window);
    }

    private static RopeScaling ropeScaling(GgufMetadata m, String p) {
        String type = m.findString(p + "rope.scaling.type").orElse("none");
        double factor = m.findDouble(p + "rope.scaling.factor").orElse(0);
        return switch (type) {
            case "none" -> RopeScaling.NONE;
            case "linear" -> factor > 0 && factor != 1 ? RopeScaling.linear(factor) : RopeScaling.NONE;
            default -> throw new LlmoptException(m.source() + ": " + p + "rope.scaling.type '" + type + "' is not supported (expected none or linear)");
        };
    }
}
