package io.llmopt.model.paged;

import io.llmopt.model.HalfRows;
import io.llmopt.model.LlamaConfig;
import io.llmopt.tensor.LlmoptException;

/**
 * Key/value storage of all sequences, cut into {@code numBlocks} blocks of {@code blockSize} positions, in float32
 * ({@code float[]}) or binary16 ({@code short[]}, {@link KvCacheType#F16}: half the bytes, keys and values rounded
 * to nearest on write). A sequence's position p lives in block {@code table[p / blockSize]} at slot
 * {@code p % blockSize}; which block belongs to which sequence is decided outside (the engine's block pool), this
 * class only stores.
 *
 * <pre>
 * keys(l), values(l)  [numBlocks][blockSize][kvDim]   kv-head g of a slot at offset g·headDim
 *                     (F32: keys/values; F16: halfKeys/halfValues; the other pair is null)
 * </pre>
 */
public final class PagedKvCache {
    private final KvCacheType type;
    private final float[][] keys;
    private final float[][] values;
    private final short[][] halfKeys;
    private final short[][] halfValues;
    private final int numLayers;
    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;

    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize) {
        this(config, numBlocks, blockSize, KvCacheType.F32);
    }

    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize, KvCacheType type) {
        if (numBlocks <= 0 || blockSize <= 0) {
            throw new LlmoptException("kv-cache-blocks and block-size must be positive, got " + numBlocks + " and " + blockSize);
        }
        this.type = type;
        this.numLayers = config.numLayers();
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = config.kvDim();
        long perLayer = (long) numBlocks * blockSize * kvDim;
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new LlmoptException("kv-cache-blocks " + numBlocks + " × block-size " + blockSize + " × kv dim " + kvDim
                    + " values do not fit one array per layer (at most " + (Integer.MAX_VALUE - 16) + ")");
        }
        boolean half = type == KvCacheType.F16;
        this.keys = half ? null : new float[numLayers][(int) perLayer];
        this.values = half ? null : new float[numLayers][(int) perLayer];
        this.halfKeys = half ? new short[numLayers][(int) perLayer] : null;
        this.halfValues = half ? new short[numLayers][(int) perLayer] : null;
        if (half) {
            HalfRows.warmUp();
        }
    }

    /** Bytes one float32 block takes over all layers (keys and values). */
    public static long bytesPerBlock(LlamaConfig config, int blockSize) {
        return bytesPerBlock(config, blockSize, KvCacheType.F32);
    }

    /** Bytes one block takes over all layers (keys and values) when stored as {@code type}. */
    public static long bytesPerBlock(LlamaConfig config, int blockSize, KvCacheType type) {
        return 2L * config.numLayers() * blockSize * config.kvDim() * type.bytes();
    }

    public KvCacheType type() {
        return type;
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

    /** Float32 keys of a layer (null for an F16 cache). */
    public float[] keys(int layer) {
        return keys == null ? null : keys[layer];
    }

    /** Float32 values of a layer (null for an F16 cache). */
    public float[] values(int layer) {
        return values == null ? null : values[layer];
    }

    /** Binary16 keys of a layer (null for an F32 cache). */
    public short[] halfKeys(int layer) {
        return halfKeys == null ? null : halfKeys[layer];
    }

    /** Binary16 values of a layer (null for an F32 cache). */
    public short[] halfValues(int layer) {
        return halfValues == null ? null : halfValues[layer];
    }

    /** Offset in the key/value arrays of position {@code pos} of a sequence with block table {@code table}. */
    public int offset(int[] table, int pos) {
        return (table[pos / blockSize] * blockSize + pos % blockSize) * kvDim;
    }

    public long byteSize() {
        return 2L * numLayers * numBlocks * blockSize * kvDim * type.bytes();
    }
}
