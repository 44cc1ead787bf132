package io.llmopt.model;

/**
 * Float32 key/value cache of one sequence: per layer, keys and values [kvHeads][contextLength][headDim] (kv head
 * major), the key of position p for kv head g at {@code g·contextLength·headDim + p·headDim} ({@link #headOffset}
 * + p·headDim). The rows one kv head's attention reads are one contiguous run, which the hardware and software
 * prefetchers follow; with positions major (rows of kvDim), a head's rows were strided and a decoded token at
 * 2048 positions spent 12 % more time in attention, and could not prefetch a chunk in one range. Entries at
 * positions ≥ the next position are stale and overwritten as the sequence grows (so rewinding is just using a
 * smaller position).
 */
public final class KvCache {
    private final float[][] keys;
    private final float[][] values;
    private final int contextLength;
    private final int kvDim;
    private final int headDim;

    public KvCache(LlamaConfig config, int contextLength) {
        this.contextLength = contextLength;
        this.kvDim = config.kvDim();
        this.headDim = config.headDim();
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

    /** Offset in {@link #keys} and {@link #values} of kv head g's row at position 0 (its rows follow, headDim apart). */
    public int headOffset(int g) {
        return g * contextLength * headDim;
    }

    /** Writes the keys k[kOff ..] and values v[vOff ..] of one position ([kvDim] each, heads one after another). */
    public void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        float[] kl = keys[layer], vl = values[layer];
        for (int g = 0, o = pos * headDim; g < kvDim / headDim; g++, o += contextLength * headDim) {
            System.arraycopy(k, kOff + g * headDim, kl, o, headDim);
            System.arraycopy(v, vOff + g * headDim, vl, o, headDim);
        }
    }

    public int kvDim() {
        return kvDim;
    }

    public long byteSize() {
        return 2L * keys.length * contextLength * kvDim * Float.BYTES;
    }
}
