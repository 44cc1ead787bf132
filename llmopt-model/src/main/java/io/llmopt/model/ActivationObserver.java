package io.llmopt.model;

/**
 * Sees the input of every weight-matrix multiplication of the forward pass, e.g. to collect an importance matrix
 * (per-column statistics of what each weight is multiplied with). Called on the forward thread, before the
 * multiplication, with activation rows {@code x[0 .. rows·cols)}, row-major ([rows][cols]); it must not modify
 * or keep {@code x}, and should be quick: it runs inside the forward pass.
 *
 * <p>q, k and v share one input and are reported once each; so are gate and up. {@code layer} is −1 for the
 * output projection, whose input is reported only for the rows whose logits are computed.
 */
@FunctionalInterface
public interface ActivationObserver {

    /** The weight matrices of a decoder layer (and the output projection). */
    enum Weight { ATTN_Q, ATTN_K, ATTN_V, ATTN_OUTPUT, FFN_GATE, FFN_UP, FFN_DOWN, OUTPUT }

    void observe(int layer, Weight weight, float[] x, int rows, int cols);
}
