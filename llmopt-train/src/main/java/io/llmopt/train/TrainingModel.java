package io.llmopt.train;

import io.llmopt.model.LlamaConfig;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.ops.AttentionOp;
import io.llmopt.train.ops.EmbeddingOp;
import io.llmopt.train.ops.Gemm;
import io.llmopt.train.ops.MatMulOp;
import io.llmopt.train.ops.RmsNormOp;
import io.llmopt.train.ops.RopeOp;
import io.llmopt.train.ops.SwiGluOp;
import java.util.Arrays;

/**
 * The Llama-family decoder for training: a forward pass over b ≤ B sequences of T tokens that keeps what
 * backward needs, and the backward pass that accumulates every parameter's gradient into {@link #gradients()}.
 * Legend as in {@link Activations}; W_* are slices of the flat parameter array.
 * <pre>
 * x = wte[inputs]
 * per layer:  ln1 = rmsnorm(x)·attn_norm;  q, k, v = ln1·Wqᵀ(+bq), ln1·Wkᵀ(+bk), ln1·Wvᵀ(+bv);  rope(q, k)
 *             res2 = x + attention(q, k, v)·Woᵀ
 *             ln2 = rmsnorm(res2)·ffn_norm;  res3 = res2 + (silu(ln2·Wgateᵀ) ⊙ ln2·Wupᵀ)·Wdownᵀ;  x = res3
 * logits = rmsnorm(x)·out_norm·Woutᵀ          (Wout = wte when tied)
 * </pre>
 * The loss is not part of the model: an objective reads {@link Activations#logits()}, writes dlogits in their
 * place, and {@link #backward()} takes it from there.
 */
public final class TrainingModel {
    private final LlamaConfig c;
    private final ParameterLayout layout;
    private final float[] w;
    private final float[] grads;
    private final Activations a;
    private final WorkerPool pool;
    private final MatMulOp matmul;
    private final RopeOp rope;
    private final AttentionOp attention;
    private int batch = -1;

    public TrainingModel(ModelParameters params, int maxBatch, int seqLen, WorkerPool pool) {
        this(params, maxBatch, seqLen, pool, Gemm.get());
    }

    public TrainingModel(ModelParameters params, int maxBatch, int seqLen, WorkerPool pool, Gemm gemm) {
        this.c = params.config();
        this.layout = params.layout();
        this.w = params.values();
        this.grads = new float[w.length];
        this.a = new Activations(c, maxBatch, seqLen);
        this.pool = pool;
        this.matmul = new MatMulOp(gemm, pool, layout.largestMatrix());
        this.rope = new RopeOp(c, seqLen);
        this.attention = new AttentionOp(c, seqLen, gemm, pool.threads());
    }

    public LlamaConfig config() {
        return c;
    }

    public Activations activations() {
        return a;
    }

    /** Gradients of all parameters, laid out like the parameters. */
    public float[] gradients() {
        return grads;
    }

    public void zeroGradients() {
        Arrays.fill(grads, 0f);
    }

    /** Runs b sequences (inputs [b][T]) and returns the logits buffer [b·T][V]. */
    public float[] forward(int[] inputs, int b) {
        if (b <= 0 || b > a.maxBatch) {
            throw new LlmoptException("batch of " + b + " sequences, expected 1.." + a.maxBatch);
        }
        int bt = b * a.seqLen;
        int d = c.hiddenSize();
        int qd = c.queryDim();
        int kvd = c.kvDim();
        int ff = c.intermediateSize();
        float eps = c.rmsNormEps();
        boolean bias = c.attentionBias();
        batch = b;
        System.arraycopy(inputs, 0, a.inputs, 0, bt);
        EmbeddingOp.forward(a.encoded, a.inputs, 0, w, layout.tokenEmbedding(), bt, d);
        float[] residual = a.encoded;
        for (int l = 0; l < c.numLayers(); l++) {
            ParameterLayout.Layer o = layout.layer(l);
            RmsNormOp.forward(a.ln1[l], a.ln1Rstd[l], residual, w, o.attnNorm(), eps, bt, d, pool);
            matmul.forward(a.q[l], 0, a.ln1[l], 0, w, o.wq(), bias ? w : null, o.bq(), bt, d, qd);
            matmul.forward(a.k[l], 0, a.ln1[l], 0, w, o.wk(), bias ? w : null, o.bk(), bt, d, kvd);
            matmul.forward(a.v[l], 0, a.ln1[l], 0, w, o.wv(), bias ? w : null, o.bv(), bt, d, kvd);
            rope.forward(a.q[l], bt, c.numHeads(), pool);
            rope.forward(a.k[l], bt, c.numKvHeads(), pool);
            attention.forward(a.atty[l], a.probs[l], a.q[l], a.k[l], a.v[l], b, pool);
            matmul.forward(a.res2[l], 0, a.atty[l], 0, w, o.wo(), null, 0, bt, qd, d);
            add(a.res2[l], residual, bt * d);
            RmsNormOp.forward(a.ln2[l], a.ln2Rstd[l], a.res2[l], w, o.ffnNorm(), eps, bt, d, pool);
            matmul.forward(a.gate[l], 0, a.ln2[l], 0, w, o.gate(), null, 0, bt, d, ff);
            matmul.forward(a.up[l], 0, a.ln2[l], 0, w, o.up(), null, 0, bt, d, ff);
            SwiGluOp.forward(a.hidden[l], a.gate[l], a.up[l], bt * ff, pool);
            matmul.forward(a.res3[l], 0, a.hidden[l], 0, w, o.down(), null, 0, bt, ff, d);
            add(a.res3[l], a.res2[l], bt * d);
            residual = a.res3[l];
        }
        RmsNormOp.forward(a.lnf, a.lnfRstd, residual, w, layout.outputNorm(), eps, bt, d, pool);
        matmul.forward(a.logits, 0, a.lnf, 0, w, layout.output(), null, 0, bt, d, c.vocabSize());
        return a.logits;
    }

    /** Backpropagates dlogits (in {@link Activations#logits()}) of the last forward into the gradients. */
    public void backward() {
        if (batch < 0) {
            throw new IllegalStateException("backward() before forward()");
        }
        int bt = batch * a.seqLen;
        int d = c.hiddenSize();
        int qd = c.queryDim();
        int kvd = c.kvDim();
        int ff = c.intermediateSize();
        float[] g = grads;
        float[] last = c.numLayers() > 0 ? a.res3[c.numLayers() - 1] : a.encoded;
        zero(a.dln, bt * d);
        matmul.backward(a.dln, 0, g, layout.output(), null, 0, a.logits, 0, a.lnf, 0, w, layout.output(), bt, d, c.vocabSize());
        zero(a.dres, bt * d);
        RmsNormOp.backward(a.dres, g, layout.outputNorm(), a.dln, last, w, layout.outputNorm(), a.lnfRstd, bt, d, pool);
        for (int l = c.numLayers() - 1; l >= 0; l--) {
            ParameterLayout.Layer o = layout.layer(l);
            float[] residual = l == 0 ? a.encoded : a.res3[l - 1];
            // a.dres = ∂loss/∂res3[l]; the ffn branch, then its norm, add into it to give ∂loss/∂res2[l]
            zero(a.dhidden, bt * ff);
            matmul.backward(a.dhidden, 0, g, o.down(), null, 0, a.dres, 0, a.hidden[l], 0, w, o.down(), bt, ff, d);
            zero(a.dgate, bt * ff);
            zero(a.dup, bt * ff);
            SwiGluOp.backward(a.dgate, a.dup, a.dhidden, a.gate[l], a.up[l], bt * ff, pool);
            zero(a.dln, bt * d);
            matmul.backward(a.dln, 0, g, o.gate(), null, 0, a.dgate, 0, a.ln2[l], 0, w, o.gate(), bt, d, ff);
            matmul.backward(a.dln, 0, g, o.up(), null, 0, a.dup, 0, a.ln2[l], 0, w, o.up(), bt, d, ff);
            RmsNormOp.backward(a.dres, g, o.ffnNorm(), a.dln, a.res2[l], w, o.ffnNorm(), a.ln2Rstd[l], bt, d, pool);
            // now a.dres = ∂loss/∂res2[l]; the attention branch and its norm turn it into ∂loss/∂residual
            zero(a.datty, bt * qd);
            matmul.backward(a.datty, 0, g, o.wo(), null, 0, a.dres, 0, a.atty[l], 0, w, o.wo(), bt, qd, d);
            zero(a.dq, bt * qd);
            zero(a.dk, bt * kvd);
            zero(a.dv, bt * kvd);
            attention.backward(a.dq, a.dk, a.dv, a.datty, a.probs[l], a.q[l], a.k[l], a.v[l], batch, pool);
            rope.backward(a.dq, bt, c.numHeads(), pool);
            rope.backward(a.dk, bt, c.numKvHeads(), pool);
            boolean bias = c.attentionBias();
            zero(a.dln, bt * d);
            matmul.backward(a.dln, 0, g, o.wq(), bias ? g : null, o.bq(), a.dq, 0, a.ln1[l], 0, w, o.wq(), bt, d, qd);
            matmul.backward(a.dln, 0, g, o.wk(), bias ? g : null, o.bk(), a.dk, 0, a.ln1[l], 0, w, o.wk(), bt, d, kvd);
            matmul.backward(a.dln, 0, g, o.wv(), bias ? g : null, o.bv(), a.dv, 0, a.ln1[l], 0, w, o.wv(), bt, d, kvd);
            RmsNormOp.backward(a.dres, g, o.attnNorm(), a.dln, residual, w, o.attnNorm(), a.ln1Rstd[l], bt, d, pool);
        }
        EmbeddingOp.backward(g, layout.tokenEmbedding(), a.dres, a.inputs, 0, bt, d);
    }

    private static void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }

    private static void zero(float[] x, int n) {
        Arrays.fill(x, 0, n, 0f);
    }
}
