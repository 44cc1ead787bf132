package io.llmopt.formats.bnb;

/**
 * How bitsandbytes (≥ 0.41.3, with Hugging Face transformers ≥ 4.36) stores quantized Linear weights in a
 * safetensors state dict, which llmopt writes and reads. For a weight {@code W} such as
 * {@code model.layers.0.self_attn.q_proj.weight} of shape [out, in]:
 *
 * <p><b>4-bit (NF4, FP4)</b>, the flattened weight in blocks of {@code blocksize} (64) values:
 * <pre>
 *   W                                   U8  [out·in/2, 1]  two 4-bit codes per byte, first in the high nibble
 *   W.absmax                            F32 [blocks]       per-block absmax; with double quantization instead
 *                                       U8  [blocks]       8-bit codes of (absmax − nested_offset)
 *   W.nested_absmax                     F32 [⌈blocks/256⌉] (double quantization) absmax of each 256 absmax codes
 *   W.nested_quant_map                  F32 [256]          (double quantization) the dynamic 8-bit code table
 *   W.quant_map                         F32 [16]           the 4-bit levels (NF4 or FP4 table)
 *   W.quant_state.bitsandbytes__nf4     U8  [len]          JSON: quant_type, blocksize, dtype, shape,
 *                                                          nested_blocksize, nested_dtype, nested_offset
 * </pre>
 * value[i] = quant_map[code[i]] · absmax[i / blocksize], absmax[j] = nested_quant_map[absmax_code[j]] ·
 * nested_absmax[j / 256] + nested_offset.
 *
 * <p><b>8-bit (LLM.int8)</b>:
 * <pre>
 *   W                                   I8  [out, in]      round(w · 127 / absmax of its row)
 *   &lt;module&gt;.SCB                        F32 [out]          the row absmax values
 * </pre>
 * value = q · SCB[row] / 127. (Some versions also write {@code <module>.weight_format}; it is ignored.)
 *
 * <p>config.json carries {@code "quantization_config": {"quant_method": "bitsandbytes", "load_in_4bit": true,
 * "bnb_4bit_quant_type": "nf4", "bnb_4bit_use_double_quant": true, …}} or {@code "load_in_8bit": true,
 * "llm_int8_threshold": 6.0}. Embeddings, norms and the output projection stay unquantized, as transformers
 * leaves them.
 *
 * <p>In memory llmopt keeps such weights as {@code GgmlType.NF4/FP4/INT8} blocks (absmax beside each block's
 * codes, see those codecs), which requires rows that are a multiple of the block; other shapes or foreign
 * tables are decoded to F32 when loading.
 */
public final class BnbLayout {
    /** config.json's quantization_config.quant_method for these files. */
    public static final String QUANT_METHOD = "bitsandbytes";

    private BnbLayout() {
    }

    /** The name of the per-row absmax tensor of int8 weight {@code weight} ("….q_proj.weight" → "….q_proj.SCB"). */
    public static String scb(String weight) {
        return module(weight) + "SCB";
    }

    /** The module prefix of a weight name, including its trailing dot ("a.b.weight" → "a.b."). */
    static String module(String weight) {
        return weight.endsWith("weight") ? weight.substring(0, weight.length() - "weight".length()) : weight + ".";
    }
}
