package io.llmopt.model.paged;

import io.llmopt.model.LlamaConfig;
import io.llmopt.tensor.LlmoptException;

/**
 * Float32 key/value storage of all sequences, cut into {@code numBlocks} blocks of {@code blockSize} positions.
 * A sequence's position p lives in block {@code table[p / blockSize]} at slot {@code p % blockSize}; which block
 * belongs to which sequence is decided outside (the engine's block pool), this class only stores.
 *
 * <pre>
 * keys(l), values(l)  [numBlocks][blockSize][kvDim]   kv-head g of a slot at offset g·headDim
 * </pre>
 */
public final class PagedKvCache {
    private final float[][] keys;
    private final float[][] values;
    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;

    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize) {
        if (numBlocks <= 0 || blockSize <= 0) {
            throw new LlmoptException("kv-cache-blocks and block-size must be positive, got " + numBlocks + " and " + blockSize);
        }
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = config.kvDim();
        long perLayer = (long) numBlocks * blockSize * kvDim;
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new LlmoptException("kv-cache-blocks " + numBlocks + " × block-size " + blockSize + " × kv dim " + kvDim
                    + " floats do not fit one array per layer (at most " + (Integer.MAX_VALUE - 16) + ")");
        }
        this.keys = new float[config.numLayers()][(int) perLayer];
        this.values = new float[config.numLayers()][(int) perLayer];
    }

    /** Bytes one block takes over all layers (keys and values). */
    public static long bytesPerBlock(LlamaConfig config, int blockSize) {
        return 2L * config.numLayers() * blockSize * config.kvDim() * Float.BYTES;
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int blockSize() {
        return blockSize;
    }

    public int kvDim() {
        return kvDim;
    }

    public float[] keys(int layer) {
        return keys[layer];
    }

    public float[] values(int layer) {
        return values[layer];
    }

    /** Offset in {@link #keys}/{@link #values} of position {@code pos} of a sequence with block table {@code table}. */
    public int offset(int[] table, int pos) {
        return (table[pos / blockSize] * blockSize + pos % blockSize) * kvDim;
    }

    public long byteSize() {
        return 2L * keys.length * numBlocks * blockSize * kvDim * Float.BYTES;
    }
}
