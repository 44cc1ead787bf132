package io.llmopt.train;

import io.llmopt.model.LlamaConfig;

/**
 * Every buffer one forward/backward pass of up to B sequences of T tokens needs, allocated once: what the
 * forward pass saves for backward (per layer) and the gradient buffers backward reuses layer after layer.
 * Legend: L layers, BT = B·T rows, d hidden size, qd = nH·hd, kvd = nKv·hd, ff intermediate size,
 * V vocabulary. A pass over b &lt; B sequences uses the first b·T rows of each buffer.
 */
public final class Activations {
    final int maxBatch;
    final int seqLen;
    final int[] inputs;       // [BT]
    final float[] encoded;    // [BT][d]  token embeddings, the residual stream entering layer 0
    final float[][] ln1;      // [L][BT][d]   attention-norm output
    final float[][] ln1Rstd;  // [L][BT]
    final float[][] q;        // [L][BT][qd]  after bias and RoPE
    final float[][] k;        // [L][BT][kvd] after bias and RoPE
    final float[][] v;        // [L][BT][kvd]
    final float[][] probs;    // [L][B][nH][T][T] attention probabilities
    final float[][] atty;     // [L][BT][qd]  attention output, before wo
    final float[][] res2;     // [L][BT][d]   residual after attention
    final float[][] ln2;      // [L][BT][d]   ffn-norm output
    final float[][] ln2Rstd;  // [L][BT]
    final float[][] gate;     // [L][BT][ff]  pre-activation
    final float[][] up;       // [L][BT][ff]
    final float[][] hidden;   // [L][BT][ff]  silu(gate) ⊙ up
    final float[][] res3;     // [L][BT][d]   residual after the ffn = layer output
    final float[] lnf;        // [BT][d]
    final float[] lnfRstd;    // [BT]
    final float[] logits;     // [BT][V]  logits after forward; dlogits after the loss's backward
    final float[] losses;     // [BT]
    final float[] dres;       // [BT][d]  gradient of the residual stream
    final float[] dln;        // [BT][d]
    final float[] dq;         // [BT][qd]
    final float[] dk;         // [BT][kvd]
    final float[] dv;         // [BT][kvd]
    final float[] datty;      // [BT][qd]
    final float[] dgate;      // [BT][ff]
    final float[] dup;        // [BT][ff]
    final float[] dhidden;    // [BT][ff]

    Activations(LlamaConfig c, int maxBatch, int seqLen) {
        if (maxBatch <= 0 || seqLen <= 0) {
            throw new IllegalArgumentException("batch and sequence length must be positive, got " + maxBatch + ", " + seqLen);
        }
        this.maxBatch = maxBatch;
        this.seqLen = seqLen;
        int layers = c.numLayers();
        int bt = Math.multiplyExact(maxBatch, seqLen);
        int d = size(bt, c.hiddenSize());
        int qd = size(bt, c.queryDim());
        int kvd = size(bt, c.kvDim());
        int ff = size(bt, c.intermediateSize());
        int att = size(size(maxBatch, c.numHeads()), size(seqLen, seqLen));
        inputs = new int[bt];
        encoded = new float[d];
        ln1 = new float[layers][d];
        ln1Rstd = new float[layers][bt];
        q = new float[layers][qd];
        k = new float[layers][kvd];
        v = new float[layers][kvd];
        probs = new float[layers][att];
        atty = new float[layers][qd];
        res2 = new float[layers][d];
        ln2 = new float[layers][d];
        ln2Rstd = new float[layers][bt];
        gate = new float[layers][ff];
        up = new float[layers][ff];
        hidden = new float[layers][ff];
        res3 = new float[layers][d];
        lnf = new float[d];
        lnfRstd = new float[bt];
        logits = new float[size(bt, c.vocabSize())];
        losses = new float[bt];
        dres = new float[d];
        dln = new float[d];
        dq = new float[qd];
        dk = new float[kvd];
        dv = new float[kvd];
        datty = new float[qd];
        dgate = new float[ff];
        dup = new float[ff];
        dhidden = new float[ff];
    }

    private static int size(int a, int b) {
        long n = (long) a * b;
        if (n > Integer.MAX_VALUE - 16) {
            throw new io.llmopt.tensor.LlmoptException("an activation buffer of " + n
                    + " floats exceeds a Java array; use a smaller --batch or --seq-len");
        }
        return (int) n;
    }

    /** Bytes held, to report memory use: the forward's saved state plus the backward's scratch. */
    public static long bytes(LlamaConfig c, int maxBatch, int seqLen) {
        long bt = (long) maxBatch * seqLen;
        long perLayer = bt * (4L * c.hiddenSize() + 2L * c.queryDim() + 2L * c.kvDim() + 3L * c.intermediateSize() + 2)
                + (long) maxBatch * c.numHeads() * seqLen * seqLen;
        long rest = bt * (3L * c.hiddenSize() + c.vocabSize() + 2 + 2L * c.queryDim() + 2L * c.kvDim()
                + 3L * c.intermediateSize());
        return 4 * (perLayer * c.numLayers() + rest) + 4 * bt;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int seqLen() {
        return seqLen;
    }

    /** Logits [b·T][V] after a forward pass; the loss's backward replaces them by their gradient. */
    public float[] logits() {
        return logits;
    }

    /** Per-position losses [b·T] written by the loss's forward. */
    public float[] losses() {
        return losses;
    }
}
