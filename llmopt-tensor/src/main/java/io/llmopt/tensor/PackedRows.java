package io.llmopt.tensor;

/**
 * An execution form of a 2-D weight matrix: the same values as the tensor's bytes, laid out for the vector
 * kernels and built once at load time (the kernels' {@code prepare}); attached with {@link Tensor#withPacked}.
 * Files are still written from the tensor's own bytes.
 */
public sealed interface PackedRows permits LanePackedQ4_0, RowInterleaved, ColumnPanels {
    /** The element type of the source tensor. */
    GgmlType type();

    int rows();

    int cols();

    /** The reference decode (scalar twin): dst[p + c] = W[row, c] for c < cols (a zero weight may differ in sign). */
    void decodeRow(int row, float[] dst, int p);

    /** Bytes this form holds. */
    long byteSize();
}
