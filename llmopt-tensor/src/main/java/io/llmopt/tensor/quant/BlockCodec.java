package io.llmopt.tensor.quant;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * Reads (and, where supported, writes) values of one {@link GgmlType} stored in memory. The implementations
 * in this package are the scalar references: straightforward code that follows the block layout and is the
 * specification every optimized kernel is tested against.
 *
 * <p>{@code n} is always a multiple of {@code type().blockSize()}; byte offsets point at a block start.
 */
public interface BlockCodec {

    GgmlType type();

    /** Decodes {@code n} values starting at {@code byteOffset} of {@code src} into {@code dst[dstOffset..]}. */
    void dequantize(MemorySegment src, long byteOffset, float[] dst, int dstOffset, int n);

    /** Σ decode(src)[i]·x[xOffset+i] over {@code n} values. */
    default float dot(MemorySegment src, long byteOffset, float[] x, int xOffset, int n) {
        float[] tmp = new float[n];
        dequantize(src, byteOffset, tmp, 0, n);
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += tmp[i] * x[xOffset + i];
        }
        return sum;
    }

    /** Whether {@link #quantize} is available for this type. */
    default boolean canQuantize() {
        return false;
    }

    /**
     * Encodes {@code n} values of {@code src[srcOffset..]} into {@code dst} at {@code byteOffset}, following
     * the reference rounding of llama.cpp for that type.
     */
    default void quantize(float[] src, int srcOffset, int n, MemorySegment dst, long byteOffset) {
        throw new UnsupportedOperationException("quantizing to " + type() + " is not supported");
    }

    /**
     * Whether {@link #quantizeRow} with importance weights gives a different result than without, i.e. llama.cpp
     * has an importance-weighted search ({@code quantize_*_impl} with {@code quant_weights}) for this type.
     */
    default boolean usesImportance() {
        return false;
    }

    /**
     * Encodes one whole tensor row of {@code n} values, weighting each column's error by {@code importance[c]}
     * (the per-column mean of squared activations of an importance matrix, indexed from 0 for the row's first
     * column; length at least n) the way llama.cpp's {@code quantize_*_impl} does. With {@code importance} null,
     * or for types whose llama.cpp quantizer ignores it, this is {@link #quantize}. The row must be complete
     * because some searches use statistics of the whole row (Q4_0/Q5_x: the row's mean square).
     */
    default void quantizeRow(float[] src, int srcOffset, int n, float[] importance, MemorySegment dst, long byteOffset) {
        quantize(src, srcOffset, n, dst, byteOffset);
    }
}
