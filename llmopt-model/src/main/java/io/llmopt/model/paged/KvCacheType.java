package io.llmopt.model.paged;

import io.llmopt.model.LlamaConfig;
import io.llmopt.model.Q8Rows;
import io.llmopt.tensor.LlmoptException;
import java.util.Locale;

/**
 * How the paged KV cache stores keys and values ({@code --kv-cache-type}): float32; IEEE binary16 (half the
 * memory); or Q8_0, llama.cpp's {@code --cache-type-k/v q8_0}: blocks of {@value Q8Rows#BLOCK} values along a
 * token's key (or value) row, each an f16 scale plus 32 signed bytes, 34 bytes for 32 values (128/34 = 3.76 times
 * fewer bytes than float32; see {@link Q8Rows}).
 */
public enum KvCacheType {
    F32,
    F16,
    Q8_0;

    /** Bytes of {@code values} stored values (a multiple of {@value Q8Rows#BLOCK} for Q8_0). */
    public long byteSize(long values) {
        return switch (this) {
            case F32 -> values * Float.BYTES;
            case F16 -> values * Short.BYTES;
            case Q8_0 -> values / Q8Rows.BLOCK * Q8Rows.BLOCK_BYTES;
        };
    }

    /**
     * Fails with a one-line error when this type cannot store the model's keys/values. Q8_0 blocks run along the
     * kv row (numKvHeads·headDim values), so the kv dim must be a multiple of 32; when the head dim is one too
     * (every real Llama), each block lies inside one head as in llama.cpp; otherwise (e.g. stories260K, head dim
     * 8) a block spans several heads and shares their scale — allowed, see {@link #blocksSpanHeads}.
     */
    public void requireSupported(LlamaConfig config) {
        if (this == Q8_0 && config.kvDim() % Q8Rows.BLOCK != 0) {
            throw new LlmoptException("--kv-cache-type q8_0 needs a kv dim (kv heads × head dim = " + config.numKvHeads()
                    + " × " + config.headDim() + " = " + config.kvDim() + ") that is a multiple of " + Q8Rows.BLOCK
                    + "; use f16 or f32 for this model");
        }
    }

    /** True when Q8_0 blocks of this model cover more than one head (head dim not a multiple of 32). */
    public boolean blocksSpanHeads(LlamaConfig config) {
        return this == Q8_0 && config.headDim() % Q8Rows.BLOCK != 0;
    }

    /** "f32", "f16" or "q8_0" (any case); a one-line error naming the flag otherwise. */
    public static KvCacheType parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32" -> F32;
            case "f16" -> F16;
            case "q8_0" -> Q8_0;
            default -> throw new LlmoptException("--kv-cache-type must be f32, f16 or q8_0, got '" + name + "'");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
