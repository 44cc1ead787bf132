package io.llmopt.tensor;

import io.llmopt.tensor.quant.BlockCodec;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A named view of tensor bytes: its element type, its shape in row-major order (outermost first, the last
 * dimension contiguous, as in NumPy/PyTorch/safetensors — the reverse of ggml's {@code ne}) and the memory
 * that holds it (usually a slice of a memory-mapped file). A tensor never copies its data.
 *
 * <p>Rows are the product of all dimensions but the last; a row of a quantized tensor is a whole number of
 * blocks.
 *
 * <p>{@code sparse} is an optional execution form of the same values ({@link BitmapRows}, built at load
 * time, null when absent): the kernels read it instead of {@code data}, which stays the tensor's bytes for
 * writers. {@code packed} is an execution form of the same values laid out for the vector kernels
 * ({@link PackedRows}: lane-packed Q4_0 or four interleaved rows, built by the kernels' {@code prepare}, null
 * when absent), read the same way. Slices and reshapes drop both.
 */
public record Tensor(String name, GgmlType type, long[] shape, MemorySegment data, BitmapRows sparse, PackedRows packed) {

    public Tensor {
        shape = shape.clone();
        long expected = type.byteSize(elementCount(shape));
        if (data.byteSize() != expected) {
            throw new LlmoptException("tensor '" + name + "': " + type + " " + Arrays.toString(shape)
                    + " needs " + expected + " bytes, got " + data.byteSize());
        }
        if (sparse != null && (shape.length != 2 || sparse.type() != type || sparse.rows() != shape[0] || sparse.cols() != shape[1])) {
            throw new LlmoptException("tensor '" + name + "': " + type + " " + Arrays.toString(shape) + " does not match its sparse form "
                    + sparse.type() + " [" + sparse.rows() + ", " + sparse.cols() + "]");
        }
        if (packed != null && (shape.length != 2 || type != packed.type() || packed.rows() != shape[0] || packed.cols() != shape[1])) {
            throw new LlmoptException("tensor '" + name + "': " + type + " " + Arrays.toString(shape) + " does not match its packed form "
                    + packed.type() + " [" + packed.rows() + ", " + packed.cols() + "]");
        }
    }

    public Tensor(String name, GgmlType type, long[] shape, MemorySegment data, BitmapRows sparse) {
        this(name, type, shape, data, sparse, null);
    }

    public Tensor(String name, GgmlType type, long[] shape, MemorySegment data) {
        this(name, type, shape, data, null, null);
    }

    /** This tensor with {@code rows} (the same values in bitmap-sparse form) for the kernels to read. */
    public Tensor withSparse(BitmapRows rows) {
        return new Tensor(name, type, shape, data, rows, packed);
    }

    /** This tensor with {@code form} (the same values, repacked) for the vector kernels to read. */
    public Tensor withPacked(PackedRows form) {
        return new Tensor(name, type, shape, data, sparse, form);
    }

    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new LlmoptException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long elementCount() {
        return elementCount(shape);
    }

    /** Length of the contiguous last dimension (1 for a scalar). */
    public long cols() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    public long rows() {
        return cols() == 0 ? 0 : elementCount() / cols();
    }

    public long rowBytes() {
        return type.byteSize(cols());
    }

    public long byteSize() {
        return data.byteSize();
    }

    /** Dequantizes row {@code row} into {@code dst[dstOffset .. dstOffset + cols)}. */
    public void readRow(long row, float[] dst, int dstOffset) {
        if (sparse != null) {
            sparse.decodeRow(Math.toIntExact(row), dst, dstOffset);
            return;
        }
        Codecs.of(type).dequantize(data, row * rowBytes(), dst, dstOffset, Math.toIntExact(cols()));
    }

    /** Dequantizes the whole tensor to a new float array (for tests, conversion and small tensors). */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(elementCount())];
        if (out.length == 0) {
            return out; // the other dimensions may be anything, even too long for an int
        }
        BlockCodec codec = Codecs.of(type);
        int cols = Math.toIntExact(cols());
        long rb = rowBytes();
        for (long r = 0, rows = rows(); r < rows; r++) {
            codec.dequantize(data, r * rb, out, Math.toIntExact(r * cols), cols);
        }
        return out;
    }

    /**
     * The {@code index}-th sub-tensor along the outermost dimension (e.g. one layer of a [layers, out, in]
     * stack), sharing memory.
     */
    public Tensor slice(String newName, long index) {
        if (shape.length == 0 || index < 0 || index >= shape[0]) {
            throw new LlmoptException("tensor '" + name + "' " + Arrays.toString(shape) + ": no slice " + index);
        }
        long[] sub = Arrays.copyOfRange(shape, 1, shape.length);
        long bytes = type.byteSize(elementCount(sub));
        return new Tensor(newName, type, sub, data.asSlice(index * bytes, bytes));
    }

    /** The same bytes under another name or shape (element count must agree). */
    public Tensor reshape(String newName, long... newShape) {
        return new Tensor(newName, type, newShape, data);
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape) + (sparse == null ? "" : " (bitmap-sparse)") + (packed == null ? "" : " (packed)");
    }
}
