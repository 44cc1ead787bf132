package io.llmopt.compress.quantize;

import io.llmopt.tensor.GgmlType;

/**
 * llama.cpp's per-tensor type choice for the k-quant mixes ({@code llama_tensor_get_type}, llama-quant.cpp
 * b4747), for the Llama-family architectures llmopt runs (no experts, not Falcon): the output tensor gets Q6_K,
 * attn_v and ffn_down get more bits in some layers, attn_output more in the Q2_K/Q3_K mixes. Stateful like
 * llama.cpp: it counts the attn_v/ffn_down tensors it has seen, so tensors must be offered in llama.cpp's order
 * (see {@link SourceModel}).
 *
 * <p>Then the shape fallback: when a row is not a multiple of the chosen type's block, llama.cpp switches
 * Q2_K/Q3_K → IQ4_NL, Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, and to F16 if that still does not fit. For the
 * 32-blocks themselves (Q4_0 … Q8_0) llama.cpp b4747 stops with "Unsupported tensor size"; llmopt falls back
 * to F16 instead and says so.
 */
final class TensorTypeRules {
    /** What the rules decided for one tensor and, for a shape fallback, why. */
    record Choice(GgmlType type, String fallback) {
    }

    private final QuantMix mix;
    private final int gqa;
    private final boolean is70B;
    private final boolean hasOutput;
    private final boolean hasImatrix;
    private final GgmlType outputType;
    private final int nAttentionV;
    private final int nLayers;
    private int iAttentionV;
    private int iFfnDown;

    /**
     * @param nAttentionV number of attn_v tensors in the model (llama.cpp counts them before quantizing)
     * @param outputType  a user-forced output type, or null
     */
    TensorTypeRules(QuantMix mix, SourceModel.Shape shape, boolean hasImatrix, GgmlType outputType, int nAttentionV) {
        this.mix = mix;
        this.gqa = shape.kvHeads() == 0 ? 0 : shape.heads() / shape.kvHeads();
        this.is70B = shape.layers() == 80 && (shape.architecture().equals("qwen2") || shape.heads() != shape.kvHeads());
        this.hasOutput = shape.hasOutputTensor();
        this.hasImatrix = hasImatrix;
        this.outputType = outputType;
        this.nAttentionV = nAttentionV;
        this.nLayers = shape.layers();
    }

    private static boolean useMoreBits(int layer, int layers) {
        return layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
    }

    /** The mix's type for tensor {@code name} with rows of {@code cols} values, before any shape fallback. */
    GgmlType mixType(String name, long cols) {
        GgmlType t = mix.baseType();
        if (name.equals("output.weight") || (!hasOutput && name.equals("token_embd.weight"))) {
            if (outputType != null) {
                return outputType;
            }
            if (cols % t.blockSize() != 0) {
                return GgmlType.Q8_0;
            }
            return t != GgmlType.Q8_0 ? GgmlType.Q6_K : t;
        }
        if (name.equals("token_embd.weight")) {
            return t;
        }
        if (name.contains("attn_v.weight")) {
            if (mix == QuantMix.Q2_K) {
                t = gqa >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
            } else if (mix == QuantMix.Q2_K_S && gqa >= 4) {
                t = GgmlType.Q4_K;
            } else if (mix == QuantMix.Q3_K_M) {
                t = iAttentionV < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
            } else if (mix == QuantMix.Q3_K_L) {
                t = GgmlType.Q5_K;
            } else if ((mix == QuantMix.Q4_K_M || mix == QuantMix.Q5_K_M) && useMoreBits(iAttentionV, nAttentionV)) {
                t = GgmlType.Q6_K;
            } else if (mix == QuantMix.Q4_K_S && iAttentionV < 4) {
                t = GgmlType.Q5_K;
            }
            if (is70B && (t == GgmlType.Q3_K || t == GgmlType.Q4_K)) {
                t = GgmlType.Q5_K; // 8 query heads share each attn_v: more bits cost little
            }
            iAttentionV++;
            return t;
        }
        if (name.contains("ffn_down")) {
            int layer = iFfnDown++;
            if (mix == QuantMix.Q2_K) {
                t = GgmlType.Q3_K;
            } else if (mix == QuantMix.Q2_K_S) {
                if (layer < nLayers / 8) {
                    t = GgmlType.Q4_K;
                }
            } else if (mix == QuantMix.Q3_K_M) {
                t = layer < nLayers / 16 ? GgmlType.Q5_K : GgmlType.Q4_K; // (not Falcon)
            } else if (mix == QuantMix.Q3_K_L) {
                t = GgmlType.Q5_K;
            } else if (mix == QuantMix.Q4_K_M) {
                if (useMoreBits(layer, nLayers)) {
                    t = GgmlType.Q6_K;
                }
            } else if (mix == QuantMix.Q5_K_M && useMoreBits(layer, nLayers)) {
                t = GgmlType.Q6_K;
            } else if (mix == QuantMix.Q4_K_S && layer < nLayers / 8) {
                t = GgmlType.Q5_K;
            } else if ((mix == QuantMix.Q4_0 || mix == QuantMix.Q5_0) && hasImatrix && layer < nLayers / 8) {
                // llama.cpp guards the first ffn_down layers of Q4_0/Q5_0 when an imatrix is given
                t = mix == QuantMix.Q4_0 ? GgmlType.Q4_1 : GgmlType.Q5_1;
            }
            return t;
        }
        if (name.contains("attn_output.weight")) {
            if (mix == QuantMix.Q2_K) {
                t = GgmlType.Q3_K;
            } else if (mix == QuantMix.Q3_K_M) {
                t = GgmlType.Q4_K;
            } else if (mix == QuantMix.Q3_K_L) {
                t = GgmlType.Q5_K;
            }
            return t;
        }
        if (name.contains("attn_qkv.weight")) {
            if (mix == QuantMix.Q3_K_M || mix == QuantMix.Q3_K_L) {
                t = GgmlType.Q4_K;
            } else if (mix == QuantMix.Q4_K_M) {
                t = GgmlType.Q5_K;
            } else if (mix == QuantMix.Q5_K_M) {
                t = GgmlType.Q6_K;
            }
        }
        return t;
    }

    /**
     * llama.cpp's shape fallback for {@code type} and rows of {@code cols} values (see the class comment);
     * applies to any chosen type, also with --pure or a user-forced type.
     */
    static Choice fitShape(GgmlType type, long cols, long rows) {
        if (cols % type.blockSize() == 0) {
            return new Choice(type, null);
        }
        GgmlType fallback = switch (type) {
            case Q2_K, Q3_K -> GgmlType.IQ4_NL;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
        if (cols % fallback.blockSize() != 0) {
            fallback = GgmlType.F16;
        }
        String why = "tensor cols " + cols + " x " + rows + " are not divisible by " + type.blockSize()
                + ", required for " + type.name().toLowerCase() + " - using fallback quantization "
                + fallback.name().toLowerCase()
                + (type.blockSize() == 32 ? " (llama.cpp b4747 stops here: Unsupported tensor size)" : "");
        return new Choice(fallback, why);
    }
}
