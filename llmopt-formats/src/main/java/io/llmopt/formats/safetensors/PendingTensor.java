package io.llmopt.formats.safetensors;

import static io.llmopt.formats.safetensors.Messages.quote;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.BlockCodec;
import io.llmopt.tensor.quant.Codecs;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * A tensor queued in a {@link SafetensorsWriter}: everything the header needs (name, dtype, shape, byte size)
 * is known up front, while the bytes are produced only when the data section is written, one tensor at a time
 * and in bounded chunks, so writing needs little more memory than the largest tensor's float values.
 */
record PendingTensor(String name, SafetensorsDtype dtype, long[] shape, long byteSize, Source source) {

    /** Values encoded per chunk when converting floats: bounds the staging buffer to a few MB. */
    private static final int CHUNK_VALUES = 1 << 20;
    /** Largest slice handed to one channel write (ByteBuffers are int-indexed). */
    private static final long MAX_WRITE = 1L << 26;

    /** Produces exactly {@code byteSize} bytes on the channel. */
    interface Source {
        void writeTo(PendingTensor t, WritableByteChannel out) throws IOException;
    }

    /** Bytes copied unchanged from {@code tensor} (whose type must have a safetensors dtype). */
    static PendingTensor of(String name, Tensor tensor) {
        SafetensorsDtype dtype = storable(name, tensor.type());
        return new PendingTensor(name, dtype, tensor.shape(), tensor.byteSize(), (t, out) -> writeSegment(tensor.data(), out));
    }

    /** {@code tensor} decoded row by row and re-encoded as {@code target}. */
    static PendingTensor converted(String name, Tensor tensor, GgmlType target) {
        BlockCodec codec = encoder(name, target);
        SafetensorsDtype dtype = SafetensorsDtype.of(target);
        long[] shape = tensor.shape();
        if (tensor.cols() > Integer.MAX_VALUE - 16) {
            throw new LlmoptException("tensor " + quote(name) + ": rows of " + tensor.cols() + " values are too long to convert");
        }
        return new PendingTensor(name, dtype, shape, byteSize(name, dtype, shape), (t, out) -> {
            int cols = (int) tensor.cols();
            float[] row = new float[cols];
            for (long r = 0, rows = tensor.rows(); r < rows; r++) {
                tensor.readRow(r, row, 0);
                writeFloats(codec, row, out);
            }
        });
    }

    /** Float values from {@code values} (called once, at write time) encoded as {@code target}. */
    static PendingTensor floats(String name, GgmlType target, long[] shape, Supplier<float[]> values) {
        BlockCodec codec = encoder(name, target);
        SafetensorsDtype dtype = SafetensorsDtype.of(target);
        long[] shapeCopy = shape.clone();
        long elements = elementCount(name, shapeCopy);
        return new PendingTensor(name, dtype, shapeCopy, byteSize(name, dtype, shapeCopy), (t, out) -> {
            float[] v = values.get();
            if (v == null || v.length != elements) {
                throw new LlmoptException("tensor " + quote(name) + ": shape " + Arrays.toString(shapeCopy) + " needs " + elements
                        + " values, got " + (v == null ? "null" : v.length));
            }
            writeFloats(codec, v, out);
        });
    }

    static long elementCount(String name, long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0 || (d != 0 && n > Long.MAX_VALUE / d)) {
                throw new LlmoptException("tensor " + quote(name) + ": invalid shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        return n;
    }

    static long byteSize(String name, SafetensorsDtype dtype, long[] shape) {
        long size = dtype.byteSizeOrMinusOne(elementCount(name, shape));
        if (size < 0) {
            throw new LlmoptException("tensor " + quote(name) + ": " + dtype + " " + Arrays.toString(shape) + " is too large");
        }
        return size;
    }

    private static SafetensorsDtype storable(String name, GgmlType type) {
        try {
            return SafetensorsDtype.of(type);
        } catch (LlmoptException e) {
            throw new LlmoptException("tensor " + quote(name) + ": " + e.getMessage(), e);
        }
    }

    private static BlockCodec encoder(String name, GgmlType target) {
        if (target != GgmlType.F32 && target != GgmlType.F16 && target != GgmlType.BF16) {
            throw new LlmoptException("tensor " + quote(name) + ": cannot write float values as " + target + " (expected F32, F16 or BF16)");
        }
        return Codecs.of(target);
    }

    private static void writeFloats(BlockCodec codec, float[] values, WritableByteChannel out) throws IOException {
        int bytesPerValue = Math.toIntExact(codec.type().byteSize(1));
        MemorySegment staging = MemorySegment.ofArray(new byte[Math.min(values.length, CHUNK_VALUES) * bytesPerValue]);
        for (int off = 0; off < values.length; off += CHUNK_VALUES) {
            int n = Math.min(CHUNK_VALUES, values.length - off);
            codec.quantize(values, off, n, staging, 0);
            writeSegment(staging.asSlice(0, (long) n * bytesPerValue), out);
        }
    }

    static void writeSegment(MemorySegment data, WritableByteChannel out) throws IOException {
        for (long pos = 0, size = data.byteSize(); pos < size; pos += MAX_WRITE) {
            ByteBuffer buffer = data.asSlice(pos, Math.min(MAX_WRITE, size - pos)).asByteBuffer();
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
        }
    }
}
