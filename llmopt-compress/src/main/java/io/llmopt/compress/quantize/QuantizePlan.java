package io.llmopt.compress.quantize;

import io.llmopt.compress.imatrix.ImportanceMatrix;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, tensor by tensor and in llama.cpp's order, what llama-quantize would do with it
 * ({@code llama_model_quantize_impl}): which tensors are quantized at all (2-D+ weights, not norms), their
 * type (mix rules, user overrides, token-embedding/output types, then the shape fallback) and their
 * importance-matrix row.
 */
final class QuantizePlan {

    /**
     * One output tensor.
     *
     * @param convert    whether its data is re-encoded (false: copied as it is)
     * @param fallback   llama.cpp-style note when the shape forced another type, else null
     * @param importance column importances from the imatrix, or null
     */
    record TensorPlan(SourceModel.SourceTensor source, GgmlType type, boolean convert, String fallback, float[] importance) {
    }

    private QuantizePlan() {
    }

    static List<TensorPlan> of(SourceModel model, QuantizeOptions o, ImportanceMatrix imatrix) {
        int nAttentionV = 0;
        for (SourceModel.SourceTensor t : model.tensors()) {
            String n = t.name();
            if (n.contains("attn_v.weight") || n.contains("attn_qkv.weight") || n.contains("attn_kv_b.weight")) {
                nAttentionV++;
            }
        }
        TensorTypeRules rules = new TensorTypeRules(o.mix(), model.shape(), imatrix != null, o.outputType(), nAttentionV);
        List<TensorPlan> plans = new ArrayList<>();
        for (SourceModel.SourceTensor t : model.tensors()) {
            plans.add(plan(t, o, rules, imatrix));
        }
        return plans;
    }

    private static TensorPlan plan(SourceModel.SourceTensor t, QuantizeOptions o, TensorTypeRules rules, ImportanceMatrix imatrix) {
        String name = t.name();
        boolean quantize = name.endsWith("weight") && ggmlDims(t.shape()) >= 2 && !name.contains("_norm.weight")
                && !(o.leaveOutput() && name.equals("output.weight")) && !name.contains("ffn_gate_inp.weight");
        if (!quantize) {
            return new TensorPlan(t, t.type(), false, null, null);
        }
        GgmlType type = o.mix().baseType();
        if (!o.pure() && o.mix().isQuantized()) {
            type = rules.mixType(name, t.cols());
        }
        for (TensorTypeOverride rule : o.overrides()) {
            if (rule.matches(name)) {
                type = rule.type();
                break;
            }
        }
        if (o.tokenEmbeddingType() != null && name.equals("token_embd.weight")) {
            type = o.tokenEmbeddingType();
        }
        if (o.outputType() != null && name.equals("output.weight")) {
            type = o.outputType();
        }
        TensorTypeRules.Choice fit = TensorTypeRules.fitShape(type, t.cols(), t.rowCount());
        type = fit.type();
        if (type == t.type()) {
            return new TensorPlan(t, type, false, fit.fallback(), null);
        }
        if (t.type().isQuantized()) {
            throw new LlmoptException("requantizing is not supported: tensor '" + name + "' is already " + t.type()
                    + " (quantize from an F32, F16 or BF16 model)");
        }
        float[] importance = imatrix == null ? null : imatrix.forWeight(name).orElse(null);
        if (importance == null && type == GgmlType.Q2_K && o.mix() == QuantMix.Q2_K_S && !name.equals("token_embd.weight")) {
            throw new LlmoptException("Q2_K_S needs an importance matrix (--imatrix) covering '" + name
                    + "': without one the result is garbage, as llama-quantize also refuses");
        }
        return new TensorPlan(t, type, true, fit.fallback(), importance);
    }

    /** ggml_n_dims: dimensions up to the last one longer than 1 (ggml order), at least 1. */
    static int ggmlDims(long[] shape) {
        for (int i = 0; i < shape.length; i++) { // shape[i] is ggml's ne[len − 1 − i]
            if (shape[i] > 1) {
                return shape.length - i;
            }
        }
        return 1;
    }
}
