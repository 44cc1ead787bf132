package io.llmopt.formats.gguf;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import java.util.Arrays;

/**
 * One tensor info entry of a GGUF header.
 *
 * @param name   the tensor's name (bytes, not interpreted here)
 * @param ne     dimensions in ggml order: {@code ne[0]} is the contiguous (innermost) one
 * @param type   element type
 * @param offset byte offset of the data from the start of the file's data section (a multiple of the
 *               file's alignment)
 */
public record GgufTensorInfo(String name, long[] ne, GgmlType type, long offset) {

    public GgufTensorInfo {
        ne = ne.clone();
    }

    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** The shape in row-major order, outermost first: the reverse of {@link #ne()}, as {@link Tensor} uses. */
    public long[] shape() {
        long[] shape = new long[ne.length];
        for (int i = 0; i < ne.length; i++) {
            shape[i] = ne[ne.length - 1 - i];
        }
        return shape;
    }

    public long elementCount() {
        return Tensor.elementCount(ne);
    }

    /** Bytes of data, without alignment padding. */
    public long byteSize() {
        return type.byteSize(elementCount());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo other && name.equals(other.name) && Arrays.equals(ne, other.ne)
                && type == other.type && offset == other.offset;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(ne);
    }

    @Override
    public String toString() {
        return name + " " + type + " ne=" + Arrays.toString(ne) + " @" + offset;
    }
}
