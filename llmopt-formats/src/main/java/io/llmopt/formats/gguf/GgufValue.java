package io.llmopt.formats.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One GGUF metadata value with its exact GGUF type, so that a file can be written back unchanged.
 *
 * <p>Java representation of {@code value}: every integer type → {@link Long} (UINT64 holds the unsigned bits),
 * FLOAT32/FLOAT64 → {@link Double}, BOOL → {@link Boolean}, STRING → {@link String}. Arrays ({@code type ==
 * ARRAY}, element type in {@code elementType}): integers → {@code long[]}, floats → {@code double[]}, BOOL →
 * {@code boolean[]}, STRING → {@code String[]}, nested arrays → {@code GgufValue[]}.
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, Object value) {

    public GgufValue {
        Objects.requireNonNull(type);
        Objects.requireNonNull(value);
        if ((type == GgufValueType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("elementType is required for arrays and only for arrays");
        }
    }

    public static GgufValue ofString(String s) {
        return new GgufValue(GgufValueType.STRING, null, s);
    }

    public static GgufValue ofUint32(long v) {
        return new GgufValue(GgufValueType.UINT32, null, v);
    }

    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufValueType.INT32, null, (long) v);
    }

    public static GgufValue ofUint64(long v) {
        return new GgufValue(GgufValueType.UINT64, null, v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, null, (double) v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, null, v);
    }

    public static GgufValue ofStringArray(String[] values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, values.clone());
    }

    public static GgufValue ofFloat32Array(float[] values) {
        double[] d = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            d[i] = values[i];
        }
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, d);
    }

    public static GgufValue ofInt32Array(int[] values) {
        long[] l = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            l[i] = values[i];
        }
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, l);
    }

    public boolean isArray() {
        return type == GgufValueType.ARRAY;
    }

    /** Number of elements of an array value (1 for a scalar). */
    public int length() {
        if (!isArray()) {
            return 1;
        }
        return switch (value) {
            case long[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case String[] a -> a.length;
            case GgufValue[] a -> a.length;
            default -> throw new IllegalStateException("unexpected array representation " + value.getClass());
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufValue other && type == other.type && elementType == other.elementType
                && Objects.deepEquals(value, other.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, elementType, Arrays.deepHashCode(new Object[] {value}));
    }

    @Override
    public String toString() {
        if (!isArray()) {
            return String.valueOf(value);
        }
        return "[" + elementType + " × " + length() + "]";
    }
}
