package io.llmopt.train;

import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.export.ExportTensor;
import io.llmopt.model.export.ModelTensors;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A trainable copy of a model: its config and every weight in one flat float array laid out by
 * {@link ParameterLayout}. Made from loaded weights (any file type, dequantized) or by random initialisation;
 * turned back into {@link LlamaWeights} (for the inference model) or export tensors (for model writers).
 * q/k rows keep the RoPE layout of the config they came with.
 */
public final class ModelParameters {
    /** Standard deviation of initial matrix weights (GPT-2 / llama2.c). */
    public static final double INIT_STD = 0.02;

    private final LlamaConfig config;
    private final ParameterLayout layout;
    private final float[] values;

    public ModelParameters(LlamaConfig config, float[] values) {
        this.config = config;
        this.layout = new ParameterLayout(config);
        if (values.length != layout.size()) {
            throw new IllegalArgumentException("expected " + layout.size() + " parameters, got " + values.length);
        }
        this.values = values;
    }

    public LlamaConfig config() {
        return config;
    }

    public ParameterLayout layout() {
        return layout;
    }

    /** The flat parameter array (shared, not copied). */
    public float[] values() {
        return values;
    }

    public ModelParameters copy() {
        return new ModelParameters(config, values.clone());
    }

    /**
     * Random initialisation as llama2.c's and nanoGPT's trainers do: matrices ~ N(0, 0.02²), the two residual
     * projections (wo, down) ~ N(0, (0.02/√(2·layers))²), norm weights 1, biases 0. Deterministic in the seed
     * (SplittableRandom and Box–Muller, both fully specified).
     */
    public static ModelParameters random(LlamaConfig c, long seed) {
        ParameterLayout layout = new ParameterLayout(c);
        float[] v = new float[layout.size()];
        SplittableRandom rng = new SplittableRandom(seed);
        double residualStd = INIT_STD / Math.sqrt(2.0 * c.numLayers());
        for (ParameterLayout.Entry e : layout.entries()) {
            if (!e.matrix()) {
                Arrays.fill(v, e.offset(), e.offset() + e.size(), e.name().endsWith("norm.weight") ? 1f : 0f);
                continue;
            }
            boolean residual = e.name().endsWith("attn_output.weight") || e.name().endsWith("ffn_down.weight");
            double std = residual ? residualStd : INIT_STD;
            for (int i = 0; i < e.size(); i += 2) {
                double u1 = 1.0 - rng.nextDouble(); // (0, 1]
                double u2 = rng.nextDouble();
                double radius = Math.sqrt(-2 * Math.log(u1)) * std;
                v[e.offset() + i] = (float) (radius * Math.cos(2 * Math.PI * u2));
                if (i + 1 < e.size()) {
                    v[e.offset() + i + 1] = (float) (radius * Math.sin(2 * Math.PI * u2));
                }
            }
        }
        return new ModelParameters(c, v);
    }

    /** A float32 copy of loaded weights (quantized tensors are dequantized). */
    public static ModelParameters fromWeights(LlamaConfig c, LlamaWeights w) {
        w.validate(c);
        ParameterLayout layout = new ParameterLayout(c);
        float[] v = new float[layout.size()];
        read(w.tokenEmbedding(), v, layout.tokenEmbedding());
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            ParameterLayout.Layer o = layout.layer(l);
            System.arraycopy(lw.attnNorm(), 0, v, o.attnNorm(), c.hiddenSize());
            read(lw.wq(), v, o.wq());
            read(lw.wk(), v, o.wk());
            read(lw.wv(), v, o.wv());
            if (c.attentionBias()) {
                System.arraycopy(lw.bq(), 0, v, o.bq(), c.queryDim());
                System.arraycopy(lw.bk(), 0, v, o.bk(), c.kvDim());
                System.arraycopy(lw.bv(), 0, v, o.bv(), c.kvDim());
            }
            read(lw.wo(), v, o.wo());
            System.arraycopy(lw.ffnNorm(), 0, v, o.ffnNorm(), c.hiddenSize());
            read(lw.gate(), v, o.gate());
            read(lw.up(), v, o.up());
            read(lw.down(), v, o.down());
        }
        System.arraycopy(w.outputNorm(), 0, v, layout.outputNorm(), c.hiddenSize());
        if (!c.tiedEmbeddings()) {
            read(w.output(), v, layout.output());
        }
        return new ModelParameters(c, v);
    }

    private static void read(Tensor t, float[] dst, int offset) {
        int cols = Math.toIntExact(t.cols());
        for (long r = 0, rows = t.rows(); r < rows; r++) {
            t.readRow(r, dst, offset + Math.toIntExact(r * cols));
        }
    }

    /**
     * The current values as inference weights: matrices in one F32 off-heap copy (the Vector API kernels read
     * native memory), norms and biases as arrays. Later training steps do not change the copy.
     */
    public LlamaWeights toWeights() {
        MemorySegment all = Arena.ofAuto().allocate(4L * values.length, 64);
        MemorySegment.copy(values, 0, all, Layouts.FLOAT, 0, values.length);
        LlamaConfig c = config;
        Tensor embedding = matrix(all, layout.tokenEmbedding(), c.vocabSize(), c.hiddenSize(), "token_embd.weight");
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            ParameterLayout.Layer o = layout.layer(l);
            boolean bias = c.attentionBias();
            layers.add(new LayerWeights(
                    vector(o.attnNorm(), c.hiddenSize()),
                    matrix(all, o.wq(), c.queryDim(), c.hiddenSize(), "blk." + l + ".attn_q.weight"),
                    matrix(all, o.wk(), c.kvDim(), c.hiddenSize(), "blk." + l + ".attn_k.weight"),
                    matrix(all, o.wv(), c.kvDim(), c.hiddenSize(), "blk." + l + ".attn_v.weight"),
                    matrix(all, o.wo(), c.hiddenSize(), c.queryDim(), "blk." + l + ".attn_output.weight"),
                    bias ? vector(o.bq(), c.queryDim()) : null,
                    bias ? vector(o.bk(), c.kvDim()) : null,
                    bias ? vector(o.bv(), c.kvDim()) : null,
                    vector(o.ffnNorm(), c.hiddenSize()),
                    matrix(all, o.gate(), c.intermediateSize(), c.hiddenSize(), "blk." + l + ".ffn_gate.weight"),
                    matrix(all, o.up(), c.intermediateSize(), c.hiddenSize(), "blk." + l + ".ffn_up.weight"),
                    matrix(all, o.down(), c.hiddenSize(), c.intermediateSize(), "blk." + l + ".ffn_down.weight")));
        }
        Tensor output = c.tiedEmbeddings() ? embedding
                : matrix(all, layout.output(), c.vocabSize(), c.hiddenSize(), "output.weight");
        return new LlamaWeights(embedding, layers, vector(layout.outputNorm(), c.hiddenSize()), output);
    }

    private static Tensor matrix(MemorySegment all, int offset, int rows, int cols, String name) {
        return new Tensor(name, GgmlType.F32, new long[] {rows, cols}, all.asSlice(4L * offset, 4L * rows * cols));
    }

    private float[] vector(int offset, int n) {
        return Arrays.copyOfRange(values, offset, offset + n);
    }

    /** Tensors to write under a naming convention, with q/k rows permuted to the target RoPE layout. */
    public List<ExportTensor> exportTensors(TensorNames names, RopeLayout target) {
        return ModelTensors.of(config, toWeights(), names, target);
    }
}
