package io.llmopt.model;

/**
 * Opt-in wall-clock split of the forward pass by stage and layer (for {@code llmopt profile-decode}): the
 * model calls {@link #lap} at the end of every stage, which charges the time since the previous lap to that
 * stage. Installed with {@link LlamaModel#setProfile}; absent, it costs one null check per stage.
 * Layer −1 (index 0 here) is everything outside the decoder blocks.
 */
public final class ForwardProfile {
    /** The stages in forward order; the matmul stages name the weight they multiply. */
    public enum Stage {
        EMBED, ATTN_NORM, ATTN_Q, ATTN_K, ATTN_V, ATTN_QKV, ROPE_CACHE, ATTENTION, ATTN_OUT, RESIDUAL,
        FFN_NORM, FFN_GATE, FFN_UP, FFN_GATE_UP, SWIGLU, FFN_DOWN, OUTPUT_NORM, OUTPUT;

        /** Whether the stage is a weight matmul. */
        public boolean isMatmul() {
            return switch (this) {
                case ATTN_Q, ATTN_K, ATTN_V, ATTN_QKV, ATTN_OUT, FFN_GATE, FFN_UP, FFN_GATE_UP, FFN_DOWN, OUTPUT -> true;
                default -> false;
            };
        }
    }

    private final long[][] nanos; // [stage][layer + 1]
    private final long[][] calls;
    private long last;

    public ForwardProfile(int layers) {
        this.nanos = new long[Stage.values().length][layers + 1];
        this.calls = new long[Stage.values().length][layers + 1];
    }

    /** Starts the clock (call before each forward). */
    public void start() {
        last = System.nanoTime();
    }

    /** Charges the time since the previous lap to {@code stage} of {@code layer} (−1: outside the blocks). */
    public void lap(Stage stage, int layer) {
        long now = System.nanoTime();
        nanos[stage.ordinal()][layer + 1] += now - last;
        calls[stage.ordinal()][layer + 1]++;
        last = now;
    }

    /** Total nanoseconds charged to {@code stage} of {@code layer} (−1: outside the blocks). */
    public long nanos(Stage stage, int layer) {
        return nanos[stage.ordinal()][layer + 1];
    }

    public long calls(Stage stage, int layer) {
        return calls[stage.ordinal()][layer + 1];
    }

    public void reset() {
        for (int s = 0; s < nanos.length; s++) {
            java.util.Arrays.fill(nanos[s], 0);
            java.util.Arrays.fill(calls[s], 0);
        }
    }
}
