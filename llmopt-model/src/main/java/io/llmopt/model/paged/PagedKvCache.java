package io.llmopt.model.paged;

import io.llmopt.model.HalfRows;
import io.llmopt.model.LlamaConfig;
import io.llmopt.model.Q8Rows;
import io.llmopt.tensor.LlmoptException;
import java.lang.System.Logger.Level;

/**
 * Key/value storage of all sequences, cut into {@code numBlocks} blocks of {@code blockSize} positions, in float32
 * ({@code float[]}), binary16 ({@code short[]}, {@link KvCacheType#F16}: half the bytes, keys and values rounded
 * to nearest on write) or Q8_0 ({@link KvCacheType#Q8_0}: {@code byte[]} quants plus {@code short[]} binary16
 * scales, one per 32 values, quantized on write by {@link Q8Rows}). A sequence's position p lives in block
 * {@code table[p / blockSize]} at slot {@code p % blockSize}; which block belongs to which sequence is decided
 * outside (the engine's block pool), this class only stores.
 *
 * <pre>
 * F32: keys(l)             [numBlocks][kvHeads][headDim][blockSize]   a block's keys of kv head g as one key tile
 *                          (dimension-major, as {@code KvCache} keeps them, with the block as the tile)
 *      values(l)           [numBlocks][kvHeads][blockSize][headDim]   a block's value rows of kv head g one after
 *                          another; either way what a kv head's attention reads in a block is one range ({@link #headOffset})
 * F16:  halfKeys             [numBlocks][kvHeads][headDim][blockSize]   key tiles, as F32 keys
 *       halfValues           [numBlocks][kvHeads][blockSize][headDim]   value rows by kv head, as F32 values
 * Q8_0: quantKeys            [numBlocks][kvHeads][headDim][blockSize]   key tiles of quants; each position's kv row is
 *                            quantized as a row (blocks of 32 along the row, as for values), then its quants are
 *                            written into the tiles
 *       keyScales            [numBlocks][blockSize][kvDim / 32]   the scales of a position's key row, by slot
 *       quantValues          [numBlocks][blockSize][kvDim], valueScales [numBlocks][blockSize][kvDim / 32]: scale of
 *                            value offset o at o >> 5 (the arrays of the other types are null)
 * </pre>
 * Keys are kept in tiles (dimension-major within a block) in every type, so that attention computes each score the
 * same way from whatever the cache holds (see {@code AttentionHead}).
 */
public final class PagedKvCache {
    private final KvCacheType type;
    private final float[][] keys;
    private final float[][] values;
    private final short[][] halfKeys;
    private final short[][] halfValues;
    private final byte[][] quantKeys;
    private final byte[][] quantValues;
    private final short[][] keyScales;
    private final short[][] valueScales;
    private final int numLayers;
    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;
    private final int headDim;
    private final byte[] rowQuants; // Q8_0: one key row quantized before it goes into the tiles (stores run on one thread)
    private final short[] rowScales;

    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize) {
        this(config, numBlocks, blockSize, KvCacheType.F32);
    }

    public PagedKvCache(LlamaConfig config, int numBlocks, int blockSize, KvCacheType type) {
        if (numBlocks <= 0 || blockSize <= 0) {
            throw new LlmoptException("kv-cache-blocks and block-size must be positive, got " + numBlocks + " and " + blockSize);
        }
        type.requireSupported(config);
        this.type = type;
        this.numLayers = config.numLayers();
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = config.kvDim();
        this.headDim = config.headDim();
        long perLayer = (long) numBlocks * blockSize * kvDim;
        if (perLayer > Integer.MAX_VALUE - 16) {
            throw new LlmoptException("kv-cache-blocks " + numBlocks + " × block-size " + blockSize + " × kv dim " + kvDim
                    + " values do not fit one array per layer (at most " + (Integer.MAX_VALUE - 16) + ")");
        }
        boolean full = type == KvCacheType.F32;
        boolean half = type == KvCacheType.F16;
        boolean q8 = type == KvCacheType.Q8_0;
        int n = (int) perLayer;
        this.keys = full ? new float[numLayers][n] : null;
        this.values = full ? new float[numLayers][n] : null;
        this.halfKeys = half ? new short[numLayers][n] : null;
        this.halfValues = half ? new short[numLayers][n] : null;
        this.quantKeys = q8 ? new byte[numLayers][n] : null;
        this.quantValues = q8 ? new byte[numLayers][n] : null;
        this.keyScales = q8 ? new short[numLayers][n / Q8Rows.BLOCK] : null;
        this.valueScales = q8 ? new short[numLayers][n / Q8Rows.BLOCK] : null;
        this.rowQuants = q8 ? new byte[kvDim] : null;
        this.rowScales = q8 ? new short[kvDim / Q8Rows.BLOCK] : null;
        if (half) {
            HalfRows.warmUp();
        }
        if (q8) {
            if (type.blocksSpanHeads(config)) {
                System.getLogger("io.llmopt.model.paged").log(Level.WARNING, "kv cache q8_0: head dim " + config.headDim()
                        + " is not a multiple of " + Q8Rows.BLOCK + ": each block of 32 spans several heads and shares one scale, "
                        + "which costs accuracy (prefer --kv-cache-type f16 for this model)");
            }
            Q8Rows.warmUp();
        }
    }

    /** Bytes one float32 block takes over all layers (keys and values). */
    public static long bytesPerBlock(LlamaConfig config, int blockSize) {
        return bytesPerBlock(config, blockSize, KvCacheType.F32);
    }

    /**
     * Bytes one block takes over all layers (keys and values) when stored as {@code type}: 4, 2 or 34/32 bytes a
     * value. Fails with a one-line error when the type cannot store this model ({@link KvCacheType#requireSupported}).
     */
    public static long bytesPerBlock(LlamaConfig config, int blockSize, KvCacheType type) {
        type.requireSupported(config);
        return 2L * config.numLayers() * type.byteSize((long) blockSize * config.kvDim());
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

    /** Float32 keys of a layer (null unless F32). */
    public float[] keys(int layer) {
        return keys == null ? null : keys[layer];
    }

    /** Float32 values of a layer (null unless F32). */
    public float[] values(int layer) {
        return values == null ? null : values[layer];
    }

    /** Binary16 keys of a layer (null unless F16). */
    public short[] halfKeys(int layer) {
        return halfKeys == null ? null : halfKeys[layer];
    }

    /** Binary16 values of a layer (null unless F16). */
    public short[] halfValues(int layer) {
        return halfValues == null ? null : halfValues[layer];
    }

    /** Q8_0 key quants of a layer (null unless Q8_0). */
    public byte[] quantKeys(int layer) {
        return quantKeys == null ? null : quantKeys[layer];
    }

    /** Q8_0 value quants of a layer (null unless Q8_0). */
    public byte[] quantValues(int layer) {
        return quantValues == null ? null : quantValues[layer];
    }

    /** Q8_0 binary16 key scales of a layer, one per 32 values (null unless Q8_0). */
    public short[] keyScales(int layer) {
        return keyScales == null ? null : keyScales[layer];
    }

    /** Q8_0 binary16 value scales of a layer, one per 32 values (null unless Q8_0). */
    public short[] valueScales(int layer) {
        return valueScales == null ? null : valueScales[layer];
    }

    /**
     * F32 and F16: offset of kv head g's key tile and of its value row at slot 0 within a block, from the block's start
     * (also where a Q8_0 block's key tile of kv head g starts).
     */
    public int headOffset(int g) {
        return g * blockSize * headDim;
    }

    /** F32: writes the keys k[kOff ..] and values v[vOff ..] ([kvDim] each, heads one after another) of one position. */
    public void store(int layer, int[] table, int pos, float[] k, int kOff, float[] v, int vOff) {
        float[] kl = keys[layer], vl = values[layer];
        int block = table[pos / blockSize] * blockSize * kvDim, slot = pos % blockSize;
        for (int g = 0; g < kvDim / headDim; g++) {
            int head = block + headOffset(g), src = kOff + g * headDim;
            for (int d = 0, o = head + slot; d < headDim; d++, o += blockSize) {
                kl[o] = k[src + d];
            }
            System.arraycopy(v, vOff + g * headDim, vl, head + slot * headDim, headDim);
        }
    }

    /** F16: writes one position, keys into the key tiles and values into each kv head's rows, rounded to nearest binary16. */
    public void storeHalf(int layer, int[] table, int pos, float[] k, int kOff, float[] v, int vOff) {
        short[] kl = halfKeys[layer];
        int block = table[pos / blockSize] * blockSize * kvDim, slot = pos % blockSize;
        for (int e = 0; e < kvDim; e++) {
            kl[block + tileOffset(e) + slot] = Float.floatToFloat16(k[kOff + e]);
        }
        for (int g = 0; g < kvDim / headDim; g++) {
            HalfRows.store(v, vOff + g * headDim, halfValues[layer], block + headOffset(g) + slot * headDim, headDim);
        }
    }

    /**
     * Q8_0: writes one position. The key row is quantized as a row ({@link Q8Rows#quantize}: its scales go to
     * keyScales at the row's offset / 32), then its quants are written into the key tiles; values as a row.
     */
    public void storeQ8(int layer, int[] table, int pos, float[] k, int kOff, float[] v, int vOff) {
        int row = offset(table, pos);
        Q8Rows.quantize(k, kOff, rowQuants, rowScales, 0, kvDim);
        System.arraycopy(rowScales, 0, keyScales[layer], row >> 5, kvDim / Q8Rows.BLOCK);
        byte[] kl = quantKeys[layer];
        int block = table[pos / blockSize] * blockSize * kvDim, slot = pos % blockSize;
        for (int e = 0; e < kvDim; e++) {
            kl[block + tileOffset(e) + slot] = rowQuants[e];
        }
        Q8Rows.quantize(v, vOff, quantValues[layer], valueScales[layer], row, kvDim);
    }

    /** Offset of value e of a key row (kv head e / headDim, dimension e % headDim) in a block's tiles, at slot 0. */
    private int tileOffset(int e) {
        return (e / headDim * headDim * blockSize) + e % headDim * blockSize;
    }

    /** Q8_0: offset in the value arrays (and / 32 in the scale arrays) of position {@code pos} of a sequence with block table {@code table}. */
    public int offset(int[] table, int pos) {
        return (table[pos / blockSize] * blockSize + pos % blockSize) * kvDim;
    }

    public long byteSize() {
        return 2L * numLayers * type.byteSize((long) numBlocks * blockSize * kvDim);
    }
}
