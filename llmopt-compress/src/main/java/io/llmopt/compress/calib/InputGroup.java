package io.llmopt.compress.calib;

import io.llmopt.model.ActivationObserver.Weight;

/**
 * The distinct matmul inputs of a decoder layer: q/k/v share the attention-normed hidden state, gate/up share
 * the ffn-normed one; the attention output projection and the down projection have their own.
 */
public enum InputGroup {
    ATTN_IN, ATTN_OUT, FFN_IN, FFN_OUT;

    /** The group a weight reads, or null for a weight reported twice (k, v, up) or outside layers. */
    public static InputGroup reportedBy(Weight w) {
        return switch (w) {
            case ATTN_Q -> ATTN_IN;
            case ATTN_OUTPUT -> ATTN_OUT;
            case FFN_GATE -> FFN_IN;
            case FFN_DOWN -> FFN_OUT;
            default -> null;
        };
    }

    public static InputGroup of(Weight w) {
        return switch (w) {
            case ATTN_Q, ATTN_K, ATTN_V -> ATTN_IN;
            case ATTN_OUTPUT -> ATTN_OUT;
            case FFN_GATE, FFN_UP -> FFN_IN;
            case FFN_DOWN -> FFN_OUT;
            case OUTPUT -> throw new IllegalArgumentException("the output projection has no layer input group");
        };
    }
}
