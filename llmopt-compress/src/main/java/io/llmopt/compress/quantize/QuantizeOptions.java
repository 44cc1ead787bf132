package io.llmopt.compress.quantize;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.quant.Codecs;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code llmopt quantize} should do, as llama-quantize's options.
 *
 * @param mix                the target type or mix
 * @param imatrix            an importance matrix file (llama.cpp imatrix.dat), or null
 * @param pure               every quantized weight in the mix's base type (no per-tensor rules)
 * @param leaveOutput        keep output.weight in its input type
 * @param outputType         type for output.weight, or null for the mix's choice
 * @param tokenEmbeddingType type for token_embd.weight, or null for the mix's choice
 * @param overrides          PATTERN=TYPE rules, first match wins
 * @param threads            worker threads for quantizing rows (≥ 1)
 */
public record QuantizeOptions(QuantMix mix, Path imatrix, boolean pure, boolean leaveOutput, GgmlType outputType,
        GgmlType tokenEmbeddingType, List<TensorTypeOverride> overrides, int threads) {

    public QuantizeOptions {
        if (mix == null) {
            throw new LlmoptException("no quantization type given");
        }
        if (threads < 1) {
            throw new LlmoptException("threads must be at least 1, got " + threads);
        }
        overrides = List.copyOf(overrides);
    }

    public static QuantizeOptions of(QuantMix mix) {
        return new QuantizeOptions(mix, null, false, false, null, null, List.of(), 1);
    }

    public QuantizeOptions withImatrix(Path file) {
        return new QuantizeOptions(mix, file, pure, leaveOutput, outputType, tokenEmbeddingType, overrides, threads);
    }

    public QuantizeOptions withPure(boolean value) {
        return new QuantizeOptions(mix, imatrix, value, leaveOutput, outputType, tokenEmbeddingType, overrides, threads);
    }

    public QuantizeOptions withThreads(int value) {
        return new QuantizeOptions(mix, imatrix, pure, leaveOutput, outputType, tokenEmbeddingType, overrides, value);
    }

    /** A tensor type name given on the command line ("q6_K", "F16"), checked to be one llmopt can write. */
    public static GgmlType tensorType(String name, String option) {
        GgmlType t;
        try {
            t = GgmlType.byName(name.trim());
        } catch (LlmoptException e) {
            throw new LlmoptException(option + ": unknown tensor type '" + name + "'");
        }
        if (!t.isGguf() || !Codecs.supports(t) || !Codecs.of(t).canQuantize() || t == GgmlType.Q8_1 || t == GgmlType.Q8_K) {
            throw new LlmoptException(option + ": llmopt cannot write tensors of type " + t);
        }
        return t;
    }
}
