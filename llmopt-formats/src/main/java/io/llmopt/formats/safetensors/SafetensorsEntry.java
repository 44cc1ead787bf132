package io.llmopt.formats.safetensors;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * One tensor as described by a safetensors header: its dtype, its shape (row-major, outermost first) and its
 * byte range {@code [dataBegin, dataEnd)} relative to the start of the data section of {@code file}.
 * Entries exist for every dtype, including those that cannot be exposed as a {@link io.llmopt.tensor.Tensor}.
 */
public record SafetensorsEntry(String name, SafetensorsDtype dtype, long[] shape, long dataBegin, long dataEnd, Path file) {

    public SafetensorsEntry {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long byteSize() {
        return dataEnd - dataBegin;
    }

    /** Product of the dimensions (1 for a scalar); the header parser has checked it does not overflow. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsEntry e && name.equals(e.name) && dtype == e.dtype && Arrays.equals(shape, e.shape)
                && dataBegin == e.dataBegin && dataEnd == e.dataEnd && file.equals(e.file);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape) + " [" + dataBegin + ", " + dataEnd + ")";
    }
}
