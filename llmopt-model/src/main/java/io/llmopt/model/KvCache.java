package io.llmopt.model;

/**
 * Float32 key/value cache of one sequence, kv head major. Per layer, with P = the context rounded up to a multiple
 * of {@link #TILE}:
 *
 * <pre>
 * keys   [kvHeads][P / TILE][headDim][TILE]   key tiles: element d of position p's key for kv head g at
 *                                              headOffset(g) + (p / TILE)·TILE·headDim + d·TILE + p % TILE
 * values [kvHeads][P][headDim]                 value row of position p at headOffset(g) + p·headDim
 * </pre>
 * A kv head's keys and values are each one contiguous run, which the hardware and software prefetchers follow.
 * Keys are stored dimension-major in tiles of TILE positions so that attention scores are computed with positions
 * in vector lanes ({@link io.llmopt.tensor.kernel.Kernels#tileDots}): one broadcast query element times one tile row
 * per fma, no reduction across lanes. Entries at positions ≥ the next position are stale and overwritten as the
 * sequence grows (so rewinding is just using a smaller position).
 */
public final class KvCache {
    /** Positions per key tile: one 512-bit vector of floats, two 256-bit or four 128-bit ones. */
    public static final int TILE = 16;

    private final float[][] keys;
    private final float[][] values;
    private final int contextLength;
    private final int stored;
    private final int kvDim;
    private final int headDim;

    public KvCache(LlamaConfig config, int contextLength) {
        this.contextLength = contextLength;
        this.stored = storedPositions(contextLength);
        this.kvDim = config.kvDim();
        this.headDim = config.headDim();
        long perLayer = (long) stored * kvDim;
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new io.llmopt.tensor.LlmoptException("context " + contextLength + " is too large for one KV cache array per layer");
        }
        this.keys = new float[config.numLayers()][(int) perLayer];
        this.values = new float[config.numLayers()][(int) perLayer];
    }

    /** Positions a cache for this context stores per kv head: the context rounded up to whole key tiles. */
    public static int storedPositions(int contextLength) {
        return (contextLength + TILE - 1) / TILE * TILE;
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

    /** Offset in {@link #keys} and {@link #values} of kv head g's first key tile and first value row. */
    public int headOffset(int g) {
        return g * stored * headDim;
    }

    /** Writes the keys k[kOff ..] and values v[vOff ..] of one position ([kvDim] each, heads one after another). */
    public void store(int layer, int pos, float[] k, int kOff, float[] v, int vOff) {
        float[] kl = keys[layer], vl = values[layer];
        int tile = pos / TILE * TILE * headDim + pos % TILE;
        for (int g = 0; g < kvDim / headDim; g++) {
            int head = headOffset(g), src = kOff + g * headDim;
            for (int d = 0, o = head + tile; d < headDim; d++, o += TILE) {
                kl[o] = k[src + d];
            }
            System.arraycopy(v, vOff + g * headDim, vl, head + pos * headDim, headDim);
        }
    }

    public int kvDim() {
        return kvDim;
    }

    public long byteSize() {
        return 2L * keys.length * stored * kvDim * Float.BYTES;
    }
}
