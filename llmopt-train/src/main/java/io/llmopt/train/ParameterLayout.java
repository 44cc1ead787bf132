package io.llmopt.train;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.tensor.LlmoptException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where each tensor of a Llama-family model lives in one flat float array (parameters, gradients and both
 * AdamW moments share this layout), in llama.cpp's conventional order: embedding, each layer, final norm,
 * output matrix (absent when tied to the embedding). Matrices are [out][in] row-major, as in model files.
 * Legend: d hidden size, V vocabulary, qd = nH·hd, kvd = nKv·hd, ff intermediate size.
 * <pre>
 * tokenEmbedding [V][d]
 * per layer: attnNorm [d]  wq [qd][d]  wk [kvd][d]  wv [kvd][d]  (bq [qd]  bk [kvd]  bv [kvd])  wo [d][qd]
 *            ffnNorm [d]  gate [ff][d]  up [ff][d]  down [d][ff]
 * outputNorm [d]   (output [V][d])
 * </pre>
 */
public final class ParameterLayout {

    /** One tensor: its GGUF name, offset and shape; {@code matrix} marks the weights that get weight decay. */
    public record Entry(String name, int offset, int rows, int cols, boolean matrix) {
        public int size() {
            return rows * cols;
        }
    }

    /** Offsets of one layer's tensors (the bias offsets are −1 when the model has none). */
    public record Layer(int attnNorm, int wq, int wk, int wv, int bq, int bk, int bv, int wo,
            int ffnNorm, int gate, int up, int down) {
    }

    private final LlamaConfig config;
    private final List<Entry> entries = new ArrayList<>();
    private final Layer[] layers;
    private final int tokenEmbedding;
    private final int outputNorm;
    private final int output;
    private long size;

    public ParameterLayout(LlamaConfig c) {
        this.config = c;
        int d = c.hiddenSize();
        int qd = c.queryDim();
        int kvd = c.kvDim();
        int ff = c.intermediateSize();
        TensorNames n = TensorNames.GGUF;
        tokenEmbedding = add(n.tokenEmbedding(), c.vocabSize(), d, true);
        layers = new Layer[c.numLayers()];
        for (int l = 0; l < c.numLayers(); l++) {
            int attnNorm = add(TensorNames.layer(n.attnNorm(), l), 1, d, false);
            int wq = add(TensorNames.layer(n.wq(), l), qd, d, true);
            int wk = add(TensorNames.layer(n.wk(), l), kvd, d, true);
            int wv = add(TensorNames.layer(n.wv(), l), kvd, d, true);
            boolean bias = c.attentionBias();
            int bq = bias ? add(TensorNames.layer(n.bq(), l), 1, qd, false) : -1;
            int bk = bias ? add(TensorNames.layer(n.bk(), l), 1, kvd, false) : -1;
            int bv = bias ? add(TensorNames.layer(n.bv(), l), 1, kvd, false) : -1;
            int wo = add(TensorNames.layer(n.wo(), l), d, qd, true);
            int ffnNorm = add(TensorNames.layer(n.ffnNorm(), l), 1, d, false);
            int gate = add(TensorNames.layer(n.gate(), l), ff, d, true);
            int up = add(TensorNames.layer(n.up(), l), ff, d, true);
            int down = add(TensorNames.layer(n.down(), l), d, ff, true);
            layers[l] = new Layer(attnNorm, wq, wk, wv, bq, bk, bv, wo, ffnNorm, gate, up, down);
        }
        outputNorm = add(n.outputNorm(), 1, d, false);
        output = c.tiedEmbeddings() ? tokenEmbedding : add(n.output(), c.vocabSize(), d, true);
    }

    private int add(String name, long rows, long cols, boolean matrix) {
        long offset = size;
        size += rows * cols;
        if (size > Integer.MAX_VALUE - 16) {
            throw new LlmoptException("training keeps parameters in Java arrays of at most 2^31 values; this model has more than "
                    + size + " (at " + name + ")");
        }
        entries.add(new Entry(name, (int) offset, (int) rows, (int) cols, matrix));
        return (int) offset;
    }

    public LlamaConfig config() {
        return config;
    }

    /** Number of floats in the flat array (tied output counted once). */
    public int size() {
        return (int) size;
    }

    public List<Entry> entries() {
        return List.copyOf(entries);
    }

    public Layer layer(int l) {
        return layers[l];
    }

    public int tokenEmbedding() {
        return tokenEmbedding;
    }

    public int outputNorm() {
        return outputNorm;
    }

    /** Offset of the output matrix: the embedding's when tied. */
    public int output() {
        return output;
    }

    /** The largest rows·cols of any matrix (sizes the matmul's transpose buffer). */
    public int largestMatrix() {
        int max = 0;
        for (Entry e : entries) {
            max = Math.max(max, e.size());
        }
        return max;
    }
}
