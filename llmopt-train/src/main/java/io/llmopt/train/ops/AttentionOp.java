package io.llmopt.train.ops;

import io.llmopt.model.LlamaConfig;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.Arrays;

/**
 * Grouped-query causal self-attention over B sequences of T tokens, forward and backward. Legend: nH query
 * heads, nKv key/value heads, g = nH/nKv query heads per kv head (head h reads kv head h/g), hd head size,
 * s = 1/√hd; position t attends to t' ∈ [max(0, t − window + 1), t] (window 0 = all earlier positions).
 * <pre>
 * q [B·T][nH·hd]   k, v [B·T][nKv·hd]   (RoPE already applied to q and k)
 * probs [B][nH][T][T]   P[t][t'] = softmax_t'(s·q_t·k_t')   (saved for backward; masked entries unused)
 * out [B·T][nH·hd]      out_t = Σ_t' P[t][t']·v_t'
 *
 * backward (accumulating):  dP[t][t'] = dout_t·v_t'     dv_t' += P[t][t']·dout_t
 *                           dS = P ⊙ (dP − Σ_t' P·dP)    dq_t += s·Σ_t' dS·k_t'    dk_t' += s·dS·q_t
 * </pre>
 * Work items are (sequence, kv head) pairs: all query heads that share a kv head run in one item, so dk and
 * dv are written by one thread in a fixed order (deterministic whatever the thread count). The softmax is
 * computed as {@code io.llmopt.model.CausalAttention} does.
 */
public final class AttentionOp {
    private final Kernels kernels;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    private final int group;
    private final int window;
    private final int seqLen;
    private final float scale;
    private final float[][] scratch; // [worker][T]

    public AttentionOp(LlamaConfig c, int seqLen, Kernels kernels, int threads) {
        this.kernels = kernels;
        this.heads = c.numHeads();
        this.kvHeads = c.numKvHeads();
        this.headDim = c.headDim();
        this.group = c.groupSize();
        this.window = c.slidingWindow();
        this.seqLen = seqLen;
        this.scale = (float) (1.0 / Math.sqrt(c.headDim()));
        this.scratch = new float[threads][seqLen];
    }

    private int firstPosition(int t) {
        return window > 0 ? Math.max(0, t - window + 1) : 0;
    }

    public void forward(float[] out, float[] probs, float[] q, float[] k, float[] v, int batch, WorkerPool pool) {
        int qd = heads * headDim;
        int kvd = kvHeads * headDim;
        pool.run(batch * kvHeads, 1, (worker, from, to) -> {
            for (int item = from; item < to; item++) {
                int b = item / kvHeads;
                int kvOff = (item % kvHeads) * headDim;
                for (int h = (item % kvHeads) * group, hEnd = h + group; h < hEnd; h++) {
                    for (int t = 0; t < seqLen; t++) {
                        int qOff = (b * seqLen + t) * qd + h * headDim;
                        int pOff = ((b * heads + h) * seqLen + t) * seqLen;
                        int first = firstPosition(t);
                        float max = Float.NEGATIVE_INFINITY;
                        for (int u = first; u <= t; u++) {
                            float s = kernels.dot(q, qOff, k, (b * seqLen + u) * kvd + kvOff, headDim) * scale;
                            probs[pOff + u] = s;
                            max = Math.max(max, s);
                        }
                        float sum = 0f;
                        for (int u = first; u <= t; u++) {
                            float e = (float) Math.exp(probs[pOff + u] - max);
                            probs[pOff + u] = e;
                            sum += e;
                        }
                        float inv = 1f / sum;
                        Arrays.fill(out, qOff, qOff + headDim, 0f);
                        for (int u = first; u <= t; u++) {
                            probs[pOff + u] *= inv;
                            kernels.axpy(probs[pOff + u], v, (b * seqLen + u) * kvd + kvOff, out, qOff, headDim);
                        }
                    }
                }
            }
        });
    }

    public void backward(float[] dq, float[] dk, float[] dv, float[] dout, float[] probs, float[] q, float[] k, float[] v,
            int batch, WorkerPool pool) {
        int qd = heads * headDim;
        int kvd = kvHeads * headDim;
        pool.run(batch * kvHeads, 1, (worker, from, to) -> {
            float[] dp = scratch[worker];
            for (int item = from; item < to; item++) {
                int b = item / kvHeads;
                int kvOff = (item % kvHeads) * headDim;
                for (int h = (item % kvHeads) * group, hEnd = h + group; h < hEnd; h++) {
                    for (int t = 0; t < seqLen; t++) {
                        int qOff = (b * seqLen + t) * qd + h * headDim;
                        int pOff = ((b * heads + h) * seqLen + t) * seqLen;
                        int first = firstPosition(t);
                        float dot = 0f;
                        for (int u = first; u <= t; u++) {
                            int vOff = (b * seqLen + u) * kvd + kvOff;
                            float p = probs[pOff + u];
                            dp[u] = kernels.dot(dout, qOff, v, vOff, headDim);
                            kernels.axpy(p, dout, qOff, dv, vOff, headDim);
                            dot += p * dp[u];
                        }
                        for (int u = first; u <= t; u++) {
                            int kOff = (b * seqLen + u) * kvd + kvOff;
                            float ds = probs[pOff + u] * (dp[u] - dot) * scale;
                            kernels.axpy(ds, k, kOff, dq, qOff, headDim);
                            kernels.axpy(ds, q, qOff, dk, kOff, headDim);
                        }
                    }
                }
            }
        });
    }
}
