package io.llmopt.model;

/**
 * Float32 key/value cache of one sequence: per layer, keys and values [contextLength][kvDim], the key of
 * position p for kv-head g at {@code p·kvDim + g·headDim}. Entries at positions ≥ the next position are
 * stale and overwritten as the sequence grows (so rewinding is just using a smaller position).
 */
public final class KvCache {
    private final float[][] keys;
    private final float[][] values;
    private final int contextLength;
    private final int kvDim;

    public KvCache(LlamaConfig config, int contextLength) {
        this.contextLength = contextLength;
        this.kvDim = config.kvDim();
        long perLayer = (long) contextLength * kvDim;
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new io.llmopt.tensor.LlmoptException("context " + contextLength + " is too large for one KV cache array per layer");
        }
        this.keys = new float[config.numLayers()][(int) perLayer];
        this.values = new float[config.numLayers()][(int) perLayer];
    }

    public int contextLength() {
        return contextLength;
    }

    public float[] keys(int layer) {
        return keys[layer];
    }

    public float[] values(int layer) {
        return values[layer];
    }

    public int kvDim() {
        return kvDim;
    }

    public long byteSize() {
        return 2L * keys.length * contextLength * kvDim * Float.BYTES;
    }
}
