package io.llmopt.model;

import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;

/**
 * Everything one sequence needs to run the model: its KV cache, RoPE tables for its context, and reused
 * activation buffers for up to {@code maxBatch} tokens per forward call (so decoding allocates nothing).
 *
 * <pre>
 * x, xb [B][d]   q, att [B][nH·hd]   k, v [B][nKv·hd]   gate, up [B][ff]   logits [B][vocab] or [vocab]
 * </pre>
 */
public final class ForwardState {
    final KvCache cache;
    final Rope rope;
    final CausalAttention attention;
    final int maxBatch;
    final float[] x;
    final float[] xb;
    final float[] q;
    final float[] k;
    final float[] v;
    final float[] att;
    final float[] gate;
    final float[] up;
    final float[] lastLogits;
    final float[][] qkv; // {q, k, v} and {gate, up}: the outputs of the shared-input matmuls
    final float[][] gateUp;
    private float[] allLogits;
    private final int vocab;

    ForwardState(LlamaConfig c, int contextLength, int maxBatch, Kernels kernels, WorkerPool pool) {
        this.cache = new KvCache(c, contextLength);
        this.rope = new Rope(c, contextLength);
        this.attention = new CausalAttention(c, kernels, pool.threads(), contextLength, maxBatch);
        this.maxBatch = maxBatch;
        this.vocab = c.vocabSize();
        this.x = new float[maxBatch * c.hiddenSize()];
        this.xb = new float[maxBatch * c.hiddenSize()];
        this.q = new float[maxBatch * c.queryDim()];
        this.att = new float[maxBatch * c.queryDim()];
        this.k = new float[maxBatch * c.kvDim()];
        this.v = new float[maxBatch * c.kvDim()];
        this.gate = new float[maxBatch * c.intermediateSize()];
        this.up = new float[maxBatch * c.intermediateSize()];
        this.lastLogits = new float[c.vocabSize()];
        this.qkv = new float[][] {q, k, v};
        this.gateUp = new float[][] {gate, up};
    }

    float[] allLogits() {
        if (allLogits == null) {
            allLogits = new float[maxBatch * vocab];
        }
        return allLogits;
    }

    public int contextLength() {
        return cache.contextLength();
    }

    public int maxBatch() {
        return maxBatch;
    }

    public KvCache cache() {
        return cache;
    }
}
