package io.llmopt.formats.bnb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.tensor.LlmoptException;
import java.nio.charset.StandardCharsets;

/**
 * The non-tensor part of a bitsandbytes 4-bit QuantState as bitsandbytes packs it into a safetensors state dict
 * ({@code QuantState.as_dict(packed=True)}): a UTF-8 JSON object stored as a U8 tensor named
 * {@code <weight>.quant_state.bitsandbytes__<quant_type>}, e.g.
 * <pre>
 * {"quant_type": "nf4", "blocksize": 64, "dtype": "float32", "shape": [256, 256],
 *  "nested_blocksize": 256, "nested_dtype": "float32", "nested_offset": 0.0123}
 * </pre>
 * The nested fields are present only with double quantization.
 *
 * @param dtype        the dtype the weight dequantizes to ("float16", "bfloat16", "float32")
 * @param shape        the weight's shape [out, in]
 * @param nestedOffset the mean subtracted from the absmax values before their 8-bit quantization (NaN if not nested)
 */
public record BnbQuantState(String quantType, int blocksize, String dtype, long[] shape, boolean nested,
        int nestedBlocksize, float nestedOffset) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Suffix of the tensor holding the packed state of a weight quantized to {@code quantType}. */
    public static String suffix(String quantType) {
        return ".quant_state.bitsandbytes__" + quantType;
    }

    public byte[] toJsonBytes() {
        ObjectNode o = JSON.createObjectNode();
        o.put("quant_type", quantType);
        o.put("blocksize", blocksize);
        o.put("dtype", dtype);
        var s = o.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        if (nested) {
            o.put("nested_blocksize", nestedBlocksize);
            o.put("nested_dtype", "float32");
            o.put("nested_offset", nestedOffset);
        }
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static BnbQuantState parse(byte[] json, String where) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new LlmoptException(where + ": bitsandbytes quant state is not JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.IOException e) {
            throw new LlmoptException(where + ": cannot read the bitsandbytes quant state: " + e.getMessage(), e);
        }
        if (o == null || !o.isObject() || !o.path("quant_type").isTextual() || !o.path("blocksize").canConvertToInt()
                || !o.path("shape").isArray()) {
            throw new LlmoptException(where + ": bitsandbytes quant state lacks quant_type, blocksize or shape");
        }
        long[] shape = new long[o.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = o.get("shape").get(i).asLong();
        }
        boolean nested = o.has("nested_offset");
        return new BnbQuantState(o.get("quant_type").asText(), o.get("blocksize").asInt(), o.path("dtype").asText("float32"),
                shape, nested, nested ? o.path("nested_blocksize").asInt(256) : 0,
                nested ? (float) o.get("nested_offset").asDouble() : Float.NaN);
    }
}
