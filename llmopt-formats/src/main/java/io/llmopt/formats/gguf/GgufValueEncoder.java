package io.llmopt.formats.gguf;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;

/**
 * Checks a {@link GgufValue} against its declared GGUF type (Java representation and value range) and
 * writes it. Checking happens before the file is started, so a bad value never leaves a partial file.
 */
final class GgufValueEncoder {
    private GgufValueEncoder() {
    }

    /** Fails with a message naming {@code key} if {@code value} cannot be written as its declared type. */
    static void check(String key, GgufValue value) {
        check(key, value, 0);
    }

    private static void check(String key, GgufValue value, int depth) {
        if (depth >= GgufHeaderReader.MAX_ARRAY_DEPTH) {
            throw bad(key, "arrays are nested deeper than " + GgufHeaderReader.MAX_ARRAY_DEPTH + " levels");
        }
        if (!value.isArray()) {
            checkScalar(key, value.type(), value.value());
            return;
        }
        GgufValueType et = value.elementType();
        switch (value.value()) {
            case long[] a when et.isInteger() -> {
                for (long v : a) {
                    checkScalar(key, et, v);
                }
            }
            case double[] ignored when et.isFloat() -> { }
            case boolean[] ignored when et == GgufValueType.BOOL -> { }
            case String[] a when et == GgufValueType.STRING -> {
                for (String s : a) {
                    if (s == null) {
                        throw bad(key, "array holds a null string");
                    }
                }
            }
            case GgufValue[] a when et == GgufValueType.ARRAY -> {
                for (GgufValue v : a) {
                    if (v == null || !v.isArray()) {
                        throw bad(key, "an array of arrays holds a non-array element");
                    }
                    check(key, v, depth + 1);
                }
            }
            default -> throw bad(key, "an array of " + et + " cannot be held in a " + value.value().getClass().getSimpleName());
        }
    }

    private static void checkScalar(String key, GgufValueType type, Object v) {
        boolean ok = switch (type) {
            case UINT8 -> v instanceof Long l && l >= 0 && l <= 0xFF;
            case INT8 -> v instanceof Long l && l >= Byte.MIN_VALUE && l <= Byte.MAX_VALUE;
            case UINT16 -> v instanceof Long l && l >= 0 && l <= 0xFFFF;
            case INT16 -> v instanceof Long l && l >= Short.MIN_VALUE && l <= Short.MAX_VALUE;
            case UINT32 -> v instanceof Long l && l >= 0 && l <= 0xFFFF_FFFFL;
            case INT32 -> v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE;
            case UINT64, INT64 -> v instanceof Long;
            case FLOAT32, FLOAT64 -> v instanceof Double;
            case BOOL -> v instanceof Boolean;
            case STRING -> v instanceof String;
            case ARRAY -> false;
        };
        if (!ok) {
            throw bad(key, v + " (" + v.getClass().getSimpleName() + ") is not a valid " + type);
        }
    }

    private static LlmoptException bad(String key, String why) {
        return new LlmoptException("GGUF metadata '" + key + "': " + why);
    }

    /** Writes the value's type id(s) and payload. The value must have passed {@link #check}. */
    static void write(GgufOutput out, GgufValue value) throws IOException {
        out.u32(value.type().id());
        if (value.isArray()) {
            writeArray(out, value);
        } else {
            writeScalar(out, value.type(), value.value());
        }
    }

    private static void writeArray(GgufOutput out, GgufValue array) throws IOException {
        GgufValueType et = array.elementType();
        out.u32(et.id());
        out.u64(array.length());
        switch (array.value()) {
            case long[] a -> {
                for (long v : a) {
                    writeScalar(out, et, v);
                }
            }
            case double[] a -> {
                for (double v : a) {
                    writeScalar(out, et, v);
                }
            }
            case boolean[] a -> {
                for (boolean v : a) {
                    out.u8(v ? 1 : 0);
                }
            }
            case String[] a -> {
                for (String v : a) {
                    out.string(v);
                }
            }
            case GgufValue[] a -> {
                for (GgufValue v : a) {
                    writeArray(out, v);
                }
            }
            default -> throw new IllegalStateException("unchecked array " + array.value().getClass());
        }
    }

    private static void writeScalar(GgufOutput out, GgufValueType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.u8(((Long) v).intValue());
            case UINT16, INT16 -> out.u16(((Long) v).intValue());
            case UINT32, INT32 -> out.u32((Long) v);
            case UINT64, INT64 -> out.u64((Long) v);
            case FLOAT32 -> out.f32(((Double) v).floatValue());
            case FLOAT64 -> out.f64((Double) v);
            case BOOL -> out.u8((Boolean) v ? 1 : 0);
            case STRING -> out.string((String) v);
            case ARRAY -> throw new IllegalStateException("arrays are written by writeArray");
        }
    }
}
