package io.llmopt.compress.calib;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A writable float32 copy of a weight matrix W [rows, cols] (row-major), for algorithms that change weights
 * in place; {@link #toTensor()} turns it back into an F32 tensor the model runs on.
 */
public final class DenseMatrix {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private final String name;
    private final int rows;
    private final int cols;
    private final float[] values;

    public DenseMatrix(String name, int rows, int cols, float[] values) {
        if ((long) rows * cols != values.length) {
            throw new IllegalArgumentException(name + ": " + rows + "×" + cols + " needs " + (long) rows * cols + " values, got " + values.length);
        }
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.values = values;
    }

    /** Decodes a 2-D tensor of any type. */
    public static DenseMatrix of(Tensor t) {
        return new DenseMatrix(t.name(), Math.toIntExact(t.dim(0)), Math.toIntExact(t.dim(1)), t.toFloatArray());
    }

    public String name() {
        return name;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** The values, row-major and shared (writes change the matrix). */
    public float[] values() {
        return values;
    }

    public float get(int r, int c) {
        return values[r * cols + c];
    }

    public DenseMatrix copy() {
        return new DenseMatrix(name, rows, cols, values.clone());
    }

    public long countZeros() {
        long n = 0;
        for (float v : values) {
            if (v == 0f) {
                n++;
            }
        }
        return n;
    }

    /** An F32 tensor holding a snapshot of the current values (off-heap, freed by the GC). */
    public Tensor toTensor() {
        MemorySegment seg = Arena.ofAuto().allocate(4L * values.length, 64);
        MemorySegment.copy(values, 0, seg, LE_FLOAT, 0, values.length);
        return new Tensor(name, GgmlType.F32, new long[] {rows, cols}, seg);
    }
}
