package io.llmopt.model.paged;

import io.llmopt.tensor.LlmoptException;
import java.util.Locale;

/** How the paged KV cache stores keys and values ({@code --kv-cache-type}): float32, or IEEE binary16 (half the memory). */
public enum KvCacheType {
    F32(Float.BYTES),
    F16(Short.BYTES);

    private final int bytes;

    KvCacheType(int bytes) {
        this.bytes = bytes;
    }

    /** Bytes per stored element. */
    public int bytes() {
        return bytes;
    }

    /** "f32" or "f16" (any case); a one-line error naming the flag otherwise. */
    public static KvCacheType parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32" -> F32;
            case "f16" -> F16;
            default -> throw new LlmoptException("--kv-cache-type must be f32 or f16, got '" + name + "'");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
