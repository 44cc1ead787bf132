package io.llmopt.model;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.model.ForwardProfile.Stage;

/**
 * The Llama-family decoder forward pass (Llama 1–3, Mistral, Qwen2 differ only in config: GQA, q/k/v bias,
 * sliding window, RoPE layout/scaling, tied output). A batch of consecutive tokens of one sequence is
 * processed together (matrix–matrix), writing its keys/values into the sequence's cache.
 *
 * <pre>
 * x = embed(tokens)                                   [T][d]
 * for each layer:
 *   xb = rmsnorm(x)·attn_norm;  q,k,v = xb·Wqᵀ(+bq), xb·Wkᵀ(+bk), xb·Wvᵀ(+bv);  rope(q, k)
 *   cache[pos..] = k, v;  x += attention(q, cache)·Woᵀ
 *   xb = rmsnorm(x)·ffn_norm;  x += (silu(xb·Wgateᵀ) ⊙ xb·Wupᵀ)·Wdownᵀ
 * logits = rmsnorm(x)·out_norm · Woutᵀ                 [T][vocab] or the last row only
 * </pre>
 */
public final class LlamaModel {
    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final Kernels kernels;
    private final WorkerPool pool;
    /** -Dllmopt.separateMatmuls=true: one pool dispatch per weight (for profiles of each q/k/v, gate/up). */
    private static final boolean SEPARATE = Boolean.getBoolean("llmopt.separateMatmuls");

    private final Tensor[][] qkv; // per layer {wq, wk, wv}: multiplied in one dispatch (same bits)
    private final Tensor[][] gateUp;
    private ActivationObserver observer;
    private ForwardProfile profile;

    public LlamaModel(LlamaConfig config, LlamaWeights weights, Kernels kernels, WorkerPool pool) {
        weights.validate(config);
        this.config = config;
        this.weights = PreparedWeights.of(weights, kernels);
        this.kernels = kernels;
        this.pool = pool;
        int layers = config.numLayers();
        this.qkv = new Tensor[layers][];
        this.gateUp = new Tensor[layers][];
        for (int l = 0; l < layers; l++) {
            LayerWeights w = this.weights.layers().get(l);
            qkv[l] = new Tensor[] {w.wq(), w.wk(), w.wv()};
            gateUp[l] = new Tensor[] {w.gate(), w.up()};
        }
    }

    public LlamaConfig config() {
        return config;
    }

    public LlamaWeights weights() {
        return weights;
    }

    public Kernels kernels() {
        return kernels;
    }

    public WorkerPool pool() {
        return pool;
    }

    /**
     * Installs (or with null removes) an observer of every matmul input; costs one null check per matmul when
     * absent, so decoding still allocates nothing.
     */
    public void setActivationObserver(ActivationObserver observer) {
        this.observer = observer;
    }

    /** Installs (or with null removes) a per-stage timer of the forward pass (see {@link ForwardProfile}). */
    public void setProfile(ForwardProfile profile) {
        this.profile = profile;
    }

    private void lap(Stage stage, int layer) {
        if (profile != null) {
            profile.lap(stage, layer);
        }
    }

    /** A fresh sequence state with a cache of {@code contextLength} positions and batches of up to maxBatch. */
    public ForwardState newState(int contextLength, int maxBatch) {
        if (contextLength <= 0 || maxBatch <= 0) {
            throw new LlmoptException("context length and batch size must be positive, got " + contextLength + " and " + maxBatch);
        }
        return new ForwardState(config, contextLength, Math.min(maxBatch, contextLength), kernels, pool);
    }

    /**
     * Runs tokens[offset .. offset+count) at positions startPos .. startPos+count−1 (positions before startPos
     * must already be in the cache). Returns the logits of the last token ([vocab], owned by the state), or
     * with {@code allLogits} the logits of every token ([count][vocab], count ≤ maxBatch).
     */
    public float[] forward(ForwardState s, int[] tokens, int offset, int count, int startPos, boolean allLogits) {
        if (count <= 0) {
            throw new LlmoptException("forward needs at least one token");
        }
        if (startPos < 0 || startPos + count > s.contextLength()) {
            throw new LlmoptException("sequence of " + (startPos + count) + " tokens is longer than the context of "
                    + s.contextLength() + " tokens (use a larger -c, up to the model's limit, or a shorter prompt)");
        }
        if (allLogits && count > s.maxBatch) {
            throw new LlmoptException("all-position logits need count ≤ batch size " + s.maxBatch + ", got " + count);
        }
        for (int i = 0; i < count; i++) {
            int id = tokens[offset + i];
            if (id < 0 || id >= config.vocabSize()) {
                throw new LlmoptException("token id " + id + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
            }
        }
        float[] result = null;
        for (int done = 0; done < count; done += s.maxBatch) {
            int n = Math.min(s.maxBatch, count - done);
            result = forwardBatch(s, tokens, offset + done, n, startPos + done, allLogits);
        }
        return result;
    }

    private float[] forwardBatch(ForwardState s, int[] tokens, int offset, int n, int startPos, boolean allLogits) {
        int d = config.hiddenSize();
        int qd = config.queryDim();
        int kvd = config.kvDim();
        int ff = config.intermediateSize();
        float eps = config.rmsNormEps();
        for (int t = 0; t < n; t++) {
            weights.tokenEmbedding().readRow(tokens[offset + t], s.x, t * d);
        }
        lap(Stage.EMBED, -1);
        for (int l = 0; l < config.numLayers(); l++) {
            LayerWeights w = weights.layers().get(l);
            for (int t = 0; t < n; t++) {
                RmsNorm.apply(s.xb, t * d, s.x, t * d, w.attnNorm(), eps);
            }
            lap(Stage.ATTN_NORM, l);
            if (observer != null) {
                observer.observe(l, ActivationObserver.Weight.ATTN_Q, s.xb, n, d);
                observer.observe(l, ActivationObserver.Weight.ATTN_K, s.xb, n, d);
                observer.observe(l, ActivationObserver.Weight.ATTN_V, s.xb, n, d);
            }
            if (SEPARATE) {
                kernels.matmul(w.wq(), s.xb, 0, n, s.q, 0, pool);
                lap(Stage.ATTN_Q, l);
                kernels.matmul(w.wk(), s.xb, 0, n, s.k, 0, pool);
                lap(Stage.ATTN_K, l);
                kernels.matmul(w.wv(), s.xb, 0, n, s.v, 0, pool);
                lap(Stage.ATTN_V, l);
            } else {
                kernels.matmulShared(qkv[l], s.xb, 0, n, s.qkv, pool);
                lap(Stage.ATTN_QKV, l);
            }
            float[] keys = s.cache.keys(l);
            float[] values = s.cache.values(l);
            for (int t = 0; t < n; t++) {
                if (w.bq() != null) {
                    addBias(s.q, t * qd, w.bq());
                    addBias(s.k, t * kvd, w.bk());
                    addBias(s.v, t * kvd, w.bv());
                }
                int pos = startPos + t;
                s.rope.apply(s.q, t * qd, config.numHeads(), pos);
                s.rope.apply(s.k, t * kvd, config.numKvHeads(), pos);
                s.cache.store(l, pos, s.k, t * kvd, s.v, t * kvd);
            }
            lap(Stage.ROPE_CACHE, l);
            s.attention.run(s.q, keys, values, s.att, n, startPos, pool);
            lap(Stage.ATTENTION, l);
            if (observer != null) {
                observer.observe(l, ActivationObserver.Weight.ATTN_OUTPUT, s.att, n, qd);
            }
            kernels.matmul(w.wo(), s.att, 0, n, s.xb, 0, pool);
            lap(Stage.ATTN_OUT, l);
            add(s.x, s.xb, n * d);
            lap(Stage.RESIDUAL, l);
            for (int t = 0; t < n; t++) {
                RmsNorm.apply(s.xb, t * d, s.x, t * d, w.ffnNorm(), eps);
            }
            lap(Stage.FFN_NORM, l);
            if (observer != null) {
                observer.observe(l, ActivationObserver.Weight.FFN_GATE, s.xb, n, d);
                observer.observe(l, ActivationObserver.Weight.FFN_UP, s.xb, n, d);
            }
            if (SEPARATE) {
                kernels.matmul(w.gate(), s.xb, 0, n, s.gate, 0, pool);
                lap(Stage.FFN_GATE, l);
                kernels.matmul(w.up(), s.xb, 0, n, s.up, 0, pool);
                lap(Stage.FFN_UP, l);
            } else {
                kernels.matmulShared(gateUp[l], s.xb, 0, n, s.gateUp, pool);
                lap(Stage.FFN_GATE_UP, l);
            }
            SwiGlu.apply(s.gate, s.up, n * ff, pool);
            lap(Stage.SWIGLU, l);
            if (observer != null) {
                observer.observe(l, ActivationObserver.Weight.FFN_DOWN, s.gate, n, ff);
            }
            kernels.matmul(w.down(), s.gate, 0, n, s.xb, 0, pool);
            lap(Stage.FFN_DOWN, l);
            add(s.x, s.xb, n * d);
            lap(Stage.RESIDUAL, l);
        }
        if (allLogits) {
            for (int t = 0; t < n; t++) {
                RmsNorm.apply(s.xb, t * d, s.x, t * d, weights.outputNorm(), eps);
            }
            float[] out = s.allLogits();
            if (observer != null) {
                observer.observe(-1, ActivationObserver.Weight.OUTPUT, s.xb, n, d);
            }
            kernels.matmul(weights.output(), s.xb, 0, n, out, 0, pool);
            return out;
        }
        RmsNorm.apply(s.xb, 0, s.x, (n - 1) * d, weights.outputNorm(), eps);
        lap(Stage.OUTPUT_NORM, -1);
        if (observer != null) {
            observer.observe(-1, ActivationObserver.Weight.OUTPUT, s.xb, 1, d);
        }
        kernels.matmul(weights.output(), s.xb, 0, 1, s.lastLogits, 0, pool);
        lap(Stage.OUTPUT, -1);
        return s.lastLogits;
    }

    private static void addBias(float[] v, int offset, float[] bias) {
        for (int i = 0; i < bias.length; i++) {
            v[offset + i] += bias[i];
        }
    }

    private static void add(float[] x, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            x[i] += y[i];
        }
    }
}
