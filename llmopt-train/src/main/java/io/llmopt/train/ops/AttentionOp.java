package io.llmopt.train.ops;

import io.llmopt.model.LlamaConfig;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.Arrays;

/**
 * Grouped-query causal self-attention over B sequences of T tokens, forward and backward, as matrix products.
 * Legend: nH query heads, nKv key/value heads, g = nH/nKv query heads per kv head (head h reads kv head h/g),
 * hd head size, s = 1/√hd; position t attends to t' ∈ [max(0, t − window + 1), t] (window 0 = all earlier).
 * Per (sequence, head), with Q [T][hd], K, V [T][hd] the head's slices:
 * <pre>
 * q [B·T][nH·hd]   k, v [B·T][nKv·hd]   (RoPE already applied to q and k)
 * P = softmax(s·Q·Kᵀ) over the allowed positions (0 elsewhere)     probs [B][nH][T][T], saved for backward
 * out = P·V                                                         out [B·T][nH·hd]
 *
 * backward (accumulating):  dP = dO·Vᵀ      dS = P ⊙ (dP − rowsum(P ⊙ dP))·s
 *                           dQ += dS·K      dK += dSᵀ·Q      dV += Pᵀ·dO
 * </pre>
 * Products run on {@link Gemm} in blocks of QB query rows that stop at the block's last position (causality
 * halves the work). Work items are (sequence, kv head) pairs: the query heads that share a kv head run in one
 * item, so dK and dV are written by one thread in a fixed order (deterministic whatever the thread count). The
 * softmax is computed as {@code io.llmopt.model.CausalAttention} does.
 */
public final class AttentionOp {
    private static final int QB = 64;

    private final Gemm gemm;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int group;
    private final int window;
    private final int seqLen;
    private final float scale;
    private final float[][] transposed; // [worker][hd][T]  Kᵀ (forward) or Vᵀ (backward) of the item's kv head
    private final float[][] dscores;    // [worker][T][T]   dP, then dS

    public AttentionOp(LlamaConfig c, int seqLen, Gemm gemm, int threads) {
        this.gemm = gemm;
        this.heads = c.numHeads();
        this.kvHeads = c.numKvHeads();
        this.headDim = c.headDim();
        this.group = c.groupSize();
        this.window = c.slidingWindow();
        this.seqLen = seqLen;
        this.scale = (float) (1.0 / Math.sqrt(c.headDim()));
        this.transposed = new float[threads][headDim * seqLen];
        this.dscores = new float[threads][seqLen * seqLen];
    }

    private int firstPosition(int t) {
        return window > 0 ? Math.max(0, t - window + 1) : 0;
    }

    /** dst[i·T + u] = x[off + u·stride + i]: one head's [T][hd] slice transposed. */
    private void transpose(float[] x, int off, int stride, float[] dst) {
        for (int u = 0; u < seqLen; u++) {
            for (int i = 0; i < headDim; i++) {
                dst[i * seqLen + u] = x[off + u * stride + i];
            }
        }
    }

    public void forward(float[] out, float[] probs, float[] q, float[] k, float[] v, int batch, WorkerPool pool) {
        int qd = heads * headDim;
        int kvd = kvHeads * headDim;
        int t2 = seqLen * seqLen;
        pool.run(batch * kvHeads, 1, (worker, from, to) -> {
            float[] kt = transposed[worker];
            for (int item = from; item < to; item++) {
                int b = item / kvHeads;
                int kvOff = b * seqLen * kvd + (item % kvHeads) * headDim;
                transpose(k, kvOff, kvd, kt);
                for (int h = (item % kvHeads) * group, hEnd = h + group; h < hEnd; h++) {
                    int qOff = b * seqLen * qd + h * headDim;
                    int pOff = (b * heads + h) * t2;
                    for (int t0 = 0; t0 < seqLen; t0 += QB) {
                        int rows = Math.min(QB, seqLen - t0);
                        int keys = t0 + rows;
                        gemm.gemm(rows, keys, headDim, q, qOff + t0 * qd, qd, 1, kt, 0, seqLen, probs, pOff + t0 * seqLen, seqLen,
                                null, 0, false, pool, worker);
                        for (int t = t0; t < keys; t++) {
                            softmaxRow(probs, pOff + t * seqLen, t);
                        }
                        gemm.gemm(rows, headDim, keys, probs, pOff + t0 * seqLen, seqLen, 1, v, kvOff, kvd, out, qOff + t0 * qd, qd,
                                null, 0, false, pool, worker);
                    }
                }
            }
        });
    }

    /** Turns raw dot products q_t·k_u (u ≤ t) into probabilities; every other entry of the row becomes 0. */
    private void softmaxRow(float[] p, int row, int t) {
        int first = firstPosition(t);
        float max = Float.NEGATIVE_INFINITY;
        for (int u = first; u <= t; u++) {
            float s = p[row + u] * scale;
            p[row + u] = s;
            max = Math.max(max, s);
        }
        float sum = 0f;
        for (int u = first; u <= t; u++) {
            float e = (float) Math.exp(p[row + u] - max);
            p[row + u] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int u = first; u <= t; u++) {
            p[row + u] *= inv;
        }
        Arrays.fill(p, row, row + first, 0f);
        Arrays.fill(p, row + t + 1, row + seqLen, 0f);
    }

    public void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] probs, float[] q, float[] k, float[] v,
            int batch, WorkerPool pool) {
        int qd = heads * headDim;
        int kvd = kvHeads * headDim;
        int t2 = seqLen * seqLen;
        pool.run(batch * kvHeads, 1, (worker, from, to) -> {
            float[] vt = transposed[worker];
            float[] ds = dscores[worker];
            for (int item = from; item < to; item++) {
                int b = item / kvHeads;
                int kvOff = b * seqLen * kvd + (item % kvHeads) * headDim;
                transpose(v, kvOff, kvd, vt);
                for (int h = (item % kvHeads) * group, hEnd = h + group; h < hEnd; h++) {
                    int qOff = b * seqLen * qd + h * headDim;
                    int pOff = (b * heads + h) * t2;
                    for (int t0 = 0; t0 < seqLen; t0 += QB) {
                        int rows = Math.min(QB, seqLen - t0);
                        int keys = t0 + rows;
                        gemm.gemm(rows, keys, headDim, dout, qOff + t0 * qd, qd, 1, vt, 0, seqLen, ds, t0 * seqLen, seqLen,
                                null, 0, false, pool, worker);
                        for (int t = t0; t < keys; t++) {
                            scoreGradientRow(ds, t * seqLen, probs, pOff + t * seqLen, t);
                        }
                        gemm.gemm(rows, headDim, keys, ds, t0 * seqLen, seqLen, 1, k, kvOff, kvd, dq, qOff + t0 * qd, qd,
                                null, 0, true, pool, worker);
                    }
                    for (int u0 = 0; u0 < seqLen; u0 += QB) {
                        int rows = Math.min(QB, seqLen - u0);
                        int queries = seqLen - u0;
                        gemm.gemm(rows, headDim, queries, ds, u0 * seqLen + u0, 1, seqLen, q, qOff + u0 * qd, qd,
                                dk, kvOff + u0 * kvd, kvd, null, 0, true, pool, worker);
                        gemm.gemm(rows, headDim, queries, probs, pOff + u0 * seqLen + u0, 1, seqLen, dout, qOff + u0 * qd, qd,
                                dv, kvOff + u0 * kvd, kvd, null, 0, true, pool, worker);
                    }
                }
            }
        });
    }

    /** dP row → dS row: P ⊙ (dP − Σ P ⊙ dP)·s over the allowed positions, 0 elsewhere. */
    private void scoreGradientRow(float[] ds, int row, float[] probs, int pRow, int t) {
        int first = firstPosition(t);
        float dot = 0f;
        for (int u = first; u <= t; u++) {
            dot += probs[pRow + u] * ds[row + u];
        }
        for (int u = first; u <= t; u++) {
            ds[row + u] = probs[pRow + u] * (ds[row + u] - dot) * scale;
        }
        Arrays.fill(ds, row, row + first, 0f);
        Arrays.fill(ds, row + t + 1, row + seqLen, 0f);
    }
}
