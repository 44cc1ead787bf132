package io.llmopt.model.export;

import io.llmopt.model.LayerWeights;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.LlamaWeights;
import io.llmopt.model.RopeLayout;
import io.llmopt.model.loader.TensorNames;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of a loaded model under a target naming convention and RoPE layout (q/k rows permuted when the
 * layouts differ), in llama.cpp's conventional order: embedding, each layer, final norm, output.
 */
public final class ModelTensors {
    private ModelTensors() {
    }

    public static List<ExportTensor> of(LlamaConfig c, LlamaWeights w, TensorNames names, RopeLayout target) {
        if (c.ropeDim() != c.headDim() && c.ropeLayout() != target) {
            throw new LlmoptException("converting partial-rotary models (rope dim " + c.ropeDim() + " < head dim " + c.headDim()
                    + ") between RoPE layouts is not supported");
        }
        RopeLayout from = c.ropeLayout();
        int hd = c.headDim();
        List<ExportTensor> out = new ArrayList<>();
        out.add(matrix(names.tokenEmbedding(), w.tokenEmbedding(), null));
        for (int l = 0; l < c.numLayers(); l++) {
            LayerWeights lw = w.layers().get(l);
            out.add(vector(TensorNames.layer(names.attnNorm(), l), lw.attnNorm(), null));
            out.add(matrix(TensorNames.layer(names.wq(), l), lw.wq(), r -> RopePermutation.sourceRow(r, hd, from, target)));
            out.add(matrix(TensorNames.layer(names.wk(), l), lw.wk(), r -> RopePermutation.sourceRow(r, hd, from, target)));
            out.add(matrix(TensorNames.layer(names.wv(), l), lw.wv(), null));
            if (lw.bq() != null) {
                out.add(vector(TensorNames.layer(names.bq(), l), lw.bq(), r -> RopePermutation.sourceRow(r, hd, from, target)));
                out.add(vector(TensorNames.layer(names.bk(), l), lw.bk(), r -> RopePermutation.sourceRow(r, hd, from, target)));
                out.add(vector(TensorNames.layer(names.bv(), l), lw.bv(), null));
            }
            out.add(matrix(TensorNames.layer(names.wo(), l), lw.wo(), null));
            out.add(vector(TensorNames.layer(names.ffnNorm(), l), lw.ffnNorm(), null));
            out.add(matrix(TensorNames.layer(names.gate(), l), lw.gate(), null));
            out.add(matrix(TensorNames.layer(names.up(), l), lw.up(), null));
            out.add(matrix(TensorNames.layer(names.down(), l), lw.down(), null));
        }
        out.add(vector(names.outputNorm(), w.outputNorm(), null));
        if (!c.tiedEmbeddings()) {
            out.add(matrix(names.output(), w.output(), null));
        }
        return out;
    }

    private static ExportTensor matrix(String name, Tensor t, java.util.function.LongUnaryOperator rowMap) {
        return new ExportTensor(name, t.shape(), (row, dst) -> t.readRow(rowMap == null ? row : rowMap.applyAsLong(row), dst, 0));
    }

    /** A 1-D vector; with a row map its elements are permuted (bias of permuted rows). */
    private static ExportTensor vector(String name, float[] v, java.util.function.LongUnaryOperator elementMap) {
        float[] values = v.clone();
        if (elementMap != null) {
            for (int i = 0; i < v.length; i++) {
                values[i] = v[(int) elementMap.applyAsLong(i)];
            }
        }
        return new ExportTensor(name, new long[] {values.length}, (row, dst) -> System.arraycopy(values, 0, dst, 0, values.length));
    }
}
