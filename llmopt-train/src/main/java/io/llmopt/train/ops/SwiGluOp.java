package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.WorkerPool;

/**
 * SwiGLU gating, elementwise over N values. silu(g) = g·σ(g), σ(g) = 1/(1 + e^−g).
 * <pre>
 * forward:   out = silu(gate) ⊙ up      (computed as {@link io.llmopt.model.SwiGlu} does)
 * backward:  dgate += dout ⊙ up ⊙ σ(g)·(1 + g·(1 − σ(g)))
 *            dup   += dout ⊙ silu(g)
 * </pre>
 */
public final class SwiGluOp {
    private static final int GRAIN = 1 << 15;

    private SwiGluOp() {
    }

    public static void forward(float[] out, float[] gate, float[] up, int n, WorkerPool pool) {
        pool.run(n, GRAIN, (worker, from, to) -> {
            for (int i = from; i < to; i++) {
                float g = gate[i];
                out[i] = g / (1f + (float) Math.exp(-g)) * up[i];
            }
        });
    }

    public static void backward(float[] dgate, float[] dup, float[] dout, float[] gate, float[] up, int n, WorkerPool pool) {
        pool.run(n, GRAIN, (worker, from, to) -> {
            for (int i = from; i < to; i++) {
                float g = gate[i];
                float sig = 1f / (1f + (float) Math.exp(-g));
                float silu = g * sig;
                dgate[i] += dout[i] * up[i] * sig * (1f + g * (1f - sig));
                dup[i] += dout[i] * silu;
            }
        });
    }
}
