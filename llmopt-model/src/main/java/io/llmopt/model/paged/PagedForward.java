package io.llmopt.model.paged;

import io.llmopt.model.ForwardProfile;
import io.llmopt.model.ForwardProfile.Stage;
import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.PreparedWeights;
import io.llmopt.model.RmsNorm;
import io.llmopt.model.Rope;
import io.llmopt.model.SwiGlu;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;

/**
 * The Llama-family forward pass over several sequences at once, their keys/values in a {@link PagedKvCache}.
 * Every token of the step (prefill chunks and decode tokens of all sequences alike) goes through ONE
 * {@code kernels.matmul} per weight, which is what makes batching pay: the weights stream from memory once per
 * step instead of once per sequence. Attention is per sequence ({@link PagedAttention}). The per-token arithmetic
 * is that of {@code LlamaModel.forward}, so one sequence run alone gives the same logits as there.
 *
 * <pre>
 * x, xb [T][d]   q, att [T][nH·hd]   k, v [T][nKv·hd]   gate, up [T][ff]   logits [L][vocab]
 * T = tokens of the step (≤ maxTokens), L = tokens that asked for logits (≤ maxSeqs)
 * </pre>
 * Buffers are allocated once for {@code maxTokens}; a step allocates nothing. Not thread-safe.
 */
public final class PagedForward {
    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final Kernels kernels;
    private final WorkerPool pool;
    private final Rope rope;
    private final PagedAttention attention;
    private final int contextLength;
    private final int maxTokens;
    private final int maxLogits;
    private final float[] x;
    private final float[] xb;
    private final float[] q;
    private final float[] k;
    private final float[] v;
    private final float[] att;
    private final float[] gate;
    private final float[] up;
    private final float[] logits;
    private final Tensor[][] qkv; // per layer {wq, wk, wv} / {gate, up}: one pool dispatch each (same bits)
    private final Tensor[][] gateUp;
    private final float[][] qkvOut;
    private final float[][] gateUpOut;
    private ForwardProfile profile;

    /**
     * @param contextLength positions a sequence may reach (sizes the RoPE table and attention scratch)
     * @param maxTokens     tokens per step at most
     * @param maxLogits     logits rows per step at most (one per sequence)
     */
    public PagedForward(LlamaConfig config, LlamaWeights weights, Kernels kernels, WorkerPool pool,
            int contextLength, int maxTokens, int maxLogits) {
        weights.validate(config);
        if (contextLength <= 0 || maxTokens <= 0 || maxLogits <= 0) {
            throw new LlmoptException("context length, tokens and logits per step must be positive, got "
                    + contextLength + ", " + maxTokens + ", " + maxLogits);
        }
        this.config = config;
        this.weights = PreparedWeights.of(weights, kernels);
        this.kernels = kernels;
        this.pool = pool;
        this.contextLength = contextLength;
        this.maxTokens = maxTokens;
        this.maxLogits = maxLogits;
        this.rope = new Rope(config, contextLength);
        this.attention = new PagedAttention(config, kernels, pool.threads(), contextLength);
        int d = config.hiddenSize();
        this.x = new float[maxTokens * d];
        this.xb = new float[maxTokens * d];
        this.q = new float[maxTokens * config.queryDim()];
        this.att = new float[maxTokens * config.queryDim()];
        this.k = new float[maxTokens * config.kvDim()];
        this.v = new float[maxTokens * config.kvDim()];
        this.gate = new float[maxTokens * config.intermediateSize()];
        this.up = new float[maxTokens * config.intermediateSize()];
        this.logits = new float[maxLogits * config.vocabSize()];
        this.qkv = new Tensor[config.numLayers()][];
        this.gateUp = new Tensor[config.numLayers()][];
        for (int l = 0; l < config.numLayers(); l++) {
            LayerWeights w = this.weights.layers().get(l);
            qkv[l] = new Tensor[] {w.wq(), w.wk(), w.wv()};
            gateUp[l] = new Tensor[] {w.gate(), w.up()};
        }
        this.qkvOut = new float[][] {q, k, v};
        this.gateUpOut = new float[][] {gate, up};
    }

    public LlamaConfig config() {
        return config;
    }

    public int contextLength() {
        return contextLength;
    }

    /**
     * Installs (or with null removes) a per-stage timer, charged with the same stages as {@code LlamaModel}'s
     * (q/k/v and gate/up as the fused ATTN_QKV / FFN_GATE_UP), so a paged step and a contiguous one can be split
     * side by side; absent, it costs one null check per stage.
     */
    public void setProfile(ForwardProfile profile) {
        this.profile = profile;
    }

    private void lap(Stage stage, int layer) {
        if (profile != null) {
            profile.lap(stage, layer);
        }
    }

    /**
     * Runs one step: writes the keys/values of every token of the batch into its sequence's blocks and returns
     * the logits of the requested tokens, row i for {@code batch}'s i-th logits token ({@code [numLogits][vocab]},
     * owned by this object and overwritten by the next step).
     */
    public float[] forward(PagedKvCache cache, SequenceBatch batch) {
        int n = batch.numTokens;
        if (n == 0) {
            throw new LlmoptException("forward needs at least one token");
        }
        if (n > maxTokens || batch.numLogits > maxLogits) {
            throw new LlmoptException("step of " + n + " tokens and " + batch.numLogits + " logits rows exceeds the limits "
                    + maxTokens + " and " + maxLogits);
        }
        int maxPosition = 0;
        for (int t = 0; t < n; t++) {
            int id = batch.tokenId[t];
            if (id < 0 || id >= config.vocabSize()) {
                throw new LlmoptException("token id " + id + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
            }
            int pos = batch.position[t];
            if (pos < 0 || pos >= contextLength) {
                throw new LlmoptException("position " + pos + " is outside the context of " + contextLength + " tokens");
            }
            maxPosition = Math.max(maxPosition, pos);
        }
        int d = config.hiddenSize();
        int qd = config.queryDim();
        int kvd = config.kvDim();
        int ff = config.intermediateSize();
        float eps = config.rmsNormEps();
        for (int t = 0; t < n; t++) {
            weights.tokenEmbedding().readRow(batch.tokenId[t], x, t * d);
        }
        lap(Stage.EMBED, -1);
        for (int l = 0; l < config.numLayers(); l++) {
            LayerWeights w = weights.layers().get(l);
            for (int t = 0; t < n; t++) {
                RmsNorm.apply(xb, t * d, x, t * d, w.attnNorm(), eps);
            }
            lap(Stage.ATTN_NORM, l);
            kernels.matmulShared(qkv[l], xb, 0, n, qkvOut, pool);
            lap(Stage.ATTN_QKV, l);
            float[] keys = cache.keys(l);
            short[] halfKeys = cache.halfKeys(l);
            for (int t = 0; t < n; t++) {
                if (w.bq() != null) {
                    addBias(q, t * qd, w.bq());
                    addBias(k, t * kvd, w.bk());
                    addBias(v, t * kvd, w.bv());
                }
                int pos = batch.position[t];
                rope.apply(q, t * qd, config.numHeads(), pos);
                rope.apply(k, t * kvd, config.numKvHeads(), pos);
                int[] table = batch.blockTable[batch.sequence[t]];
                if (keys != null) {
                    cache.store(l, table, pos, k, t * kvd, v, t * kvd);
                } else if (halfKeys != null) {
                    cache.storeHalf(l, table, pos, k, t * kvd, v, t * kvd);
                } else {
                    cache.storeQ8(l, table, pos, k, t * kvd, v, t * kvd);
                }
            }
            lap(Stage.ROPE_CACHE, l);
            attention.run(cache, l, batch, q, att, maxPosition, pool);
            lap(Stage.ATTENTION, l);
            kernels.matmul(w.wo(), att, 0, n, xb, 0, pool);
            lap(Stage.ATTN_OUT, l);
            add(x, xb, n * d);
            lap(Stage.RESIDUAL, l);
            for (int t = 0; t < n; t++) {
                RmsNorm.apply(xb, t * d, x, t * d, w.ffnNorm(), eps);
            }
            lap(Stage.FFN_NORM, l);
            kernels.matmulShared(gateUp[l], xb, 0, n, gateUpOut, pool);
            lap(Stage.FFN_GATE_UP, l);
            SwiGlu.apply(gate, up, n * ff, pool);
            lap(Stage.SWIGLU, l);
            kernels.matmul(w.down(), gate, 0, n, xb, 0, pool);
            lap(Stage.FFN_DOWN, l);
            add(x, xb, n * d);
            lap(Stage.RESIDUAL, l);
        }
        int rows = batch.numLogits;
        for (int i = 0; i < rows; i++) {
            RmsNorm.apply(xb, i * d, x, batch.logitToken[i] * d, weights.outputNorm(), eps);
        }
        lap(Stage.OUTPUT_NORM, -1);
        if (rows > 0) {
            kernels.matmul(weights.output(), xb, 0, rows, logits, 0, pool);
        }
        lap(Stage.OUTPUT, -1);
        return logits;
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
