package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.WorkerPool;

/**
 * RMSNorm, forward and backward. Legend: R rows, C channels, r = 1/√(mean(x²) + ε) per row.
 * <pre>
 * forward:   out [R][C] = w ⊙ (r·x),  rstd [R] = r (saved for backward)
 * backward:  dx_i += r·w_i·dy_i − (r³/C)·x_i·Σ_j w_j·dy_j·x_j
 *            dw_i += Σ_rows r·x_i·dy_i
 * </pre>
 * The forward computes exactly as {@link io.llmopt.model.RmsNorm} (float sum of squares, the scale in double
 * rounded to float), so training logits equal inference logits. dw is summed over rows on one thread, in row
 * order, so the result does not depend on the thread count.
 */
public final class RmsNormOp {
    private RmsNormOp() {
    }

    public static void forward(float[] out, float[] rstd, float[] inp, float[] w, int wOff, float eps, int rows, int c,
            WorkerPool pool) {
        pool.run(rows, Math.max(1, (1 << 16) / c), (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                int x = r * c;
                float ss = 0f;
                for (int i = 0; i < c; i++) {
                    float v = inp[x + i];
                    ss += v * v;
                }
                float scale = (float) (1.0 / Math.sqrt(ss / c + eps));
                rstd[r] = scale;
                for (int i = 0; i < c; i++) {
                    out[x + i] = w[wOff + i] * (scale * inp[x + i]);
                }
            }
        });
    }

    public static void backward(float[] dinp, float[] dw, int dwOff, float[] dout, float[] inp, float[] w, int wOff,
            float[] rstd, int rows, int c, WorkerPool pool) {
        pool.run(rows, Math.max(1, (1 << 16) / c), (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                int x = r * c;
                float s = rstd[r];
                float dot = 0f;
                for (int i = 0; i < c; i++) {
                    dot += w[wOff + i] * dout[x + i] * inp[x + i];
                }
                float k = s * s * s * dot / c;
                for (int i = 0; i < c; i++) {
                    dinp[x + i] += s * w[wOff + i] * dout[x + i] - k * inp[x + i];
                }
            }
        });
        for (int r = 0; r < rows; r++) {
            int x = r * c;
            float s = rstd[r];
            for (int i = 0; i < c; i++) {
                dw[dwOff + i] += s * inp[x + i] * dout[x + i];
            }
        }
    }
}
