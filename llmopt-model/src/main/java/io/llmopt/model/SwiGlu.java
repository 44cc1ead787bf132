package io.llmopt.model;

import io.llmopt.tensor.kernel.WorkerPool;

/** SwiGLU gating: gate[i] = silu(gate[i]) · up[i], with silu(x) = x / (1 + e^−x). */
public final class SwiGlu {
    /** Elements per pool chunk (a decode step of a 1.1B model, 5632 elements, is split in three). */
    private static final int CHUNK = 2048;

    private SwiGlu() {
    }

    public static void apply(float[] gate, float[] up, int n) {
        apply(gate, up, 0, n);
    }

    /** As {@link #apply(float[], float[], int)}, split between the pool's threads when n is large (same bits: elementwise). */
    public static void apply(float[] gate, float[] up, int n, WorkerPool pool) {
        if (n < 2 * CHUNK) {
            apply(gate, up, 0, n);
            return;
        }
        pool.run((n + CHUNK - 1) / CHUNK, 1, (worker, from, to) -> apply(gate, up, from * CHUNK, Math.min(n, to * CHUNK)));
    }

    private static void apply(float[] gate, float[] up, int from, int to) {
        for (int i = from; i < to; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }
}
