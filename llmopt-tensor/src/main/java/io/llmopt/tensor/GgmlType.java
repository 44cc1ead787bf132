package io.llmopt.tensor;

/**
 * Element types of ggml/GGUF tensors: the GGUF id, how many values one block holds and how many bytes one
 * block takes. Byte sizes are written as the sum of the block's fields (scales, minimums, packed quants) so
 * that each number can be checked against the block layout it describes.
 *
 * <p>Types with a negative id are llmopt's own in-memory layouts (bitsandbytes-style weights loaded from
 * safetensors); they exist only in memory, never in a GGUF file ({@link #isGguf()}).
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 2 + 32 / 2),
    Q4_1(3, 32, 2 + 2 + 32 / 2),
    Q5_0(6, 32, 2 + 4 + 32 / 2),
    Q5_1(7, 32, 2 + 2 + 4 + 32 / 2),
    Q8_0(8, 32, 2 + 32),
    Q8_1(9, 32, 2 + 2 + 32),
    Q2_K(10, 256, 256 / 16 + 256 / 4 + 2 + 2),
    Q3_K(11, 256, 256 / 8 + 256 / 4 + 12 + 2),
    Q4_K(12, 256, 2 + 2 + 12 + 256 / 2),
    Q5_K(13, 256, 2 + 2 + 12 + 256 / 8 + 256 / 2),
    Q6_K(14, 256, 256 / 2 + 256 / 4 + 256 / 16 + 2),
    Q8_K(15, 256, 4 + 256 + 256 / 16 * 2),
    IQ2_XXS(16, 256, 2 + 256 / 8 * 2),
    IQ2_XS(17, 256, 2 + 256 / 8 * 2 + 256 / 32),
    IQ3_XXS(18, 256, 2 + 3 * 256 / 8),
    IQ1_S(19, 256, 2 + 256 / 8 + 256 / 16),
    IQ4_NL(20, 32, 2 + 32 / 2),
    IQ3_S(21, 256, 2 + 256 / 4 + 256 / 8 + 256 / 32 + 4),
    IQ2_S(22, 256, 2 + 256 / 4 + 256 / 32 + 256 / 32),
    IQ4_XS(23, 256, 2 + 2 + 256 / 64 + 256 / 2),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    IQ1_M(29, 256, 256 / 8 + 256 / 16 + 256 / 32),
    BF16(30, 1, 2),
    TQ1_0(34, 256, (256 - 4 * 256 / 64) / 5 + 256 / 64 + 2),
    TQ2_0(35, 256, 2 + 256 / 4),
    /** bitsandbytes NF4 in memory: float32 absmax of the 64-value block, then 32 bytes of 4-bit codes. */
    NF4(-1, 64, 4 + 64 / 2),
    /** bitsandbytes FP4 in memory: float32 absmax of the 64-value block, then 32 bytes of 4-bit codes. */
    FP4(-2, 64, 4 + 64 / 2),
    /** LLM.int8 weights in memory: float32 absmax of the whole row (repeated per block), then 32 int8 codes. */
    INT8(-3, 32, 4 + 32);

    private final int id;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, int blockSize, int blockBytes) {
        this.id = id;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** The numeric id used in GGUF tensor infos and general.file_type-adjacent metadata. */
    public int id() {
        return id;
    }

    /** Number of values in one block (1 for plain types). */
    public int blockSize() {
        return blockSize;
    }

    /** Number of bytes of one block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** Whether GGUF (and ggml) knows this type; false for llmopt's in-memory types. */
    public boolean isGguf() {
        return id >= 0;
    }

    public boolean isQuantized() {
        return blockSize > 1;
    }

    /** Bytes taken by {@code count} consecutive values; count must be a multiple of the block size. */
    public long byteSize(long count) {
        if (count % blockSize != 0) {
            throw new LlmoptException(name() + ": " + count + " values is not a multiple of the block size " + blockSize);
        }
        return count / blockSize * blockBytes;
    }

    public double bitsPerWeight() {
        return 8.0 * blockBytes / blockSize;
    }

    /** The GGUF type with this id (llmopt's in-memory types have none). */
    public static GgmlType byId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id && t.isGguf()) {
                return t;
            }
        }
        throw new LlmoptException("unknown ggml tensor type id " + id);
    }

    /** Looks a type up by name, case-insensitively ("q4_k", "F16"). */
    public static GgmlType byName(String name) {
        for (GgmlType t : values()) {
            if (t.name().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw new LlmoptException("unknown tensor type '" + name + "'");
    }
}
