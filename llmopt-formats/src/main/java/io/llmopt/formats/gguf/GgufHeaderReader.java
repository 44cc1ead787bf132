package io.llmopt.formats.gguf;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates the header of a GGUF v2/v3 file (little-endian):
 * <pre>
 *   "GGUF" | u32 version | u64 tensor_count | u64 kv_count
 *   kv_count × (string key | u32 value_type | value)
 *   tensor_count × (string name | u32 n_dims | n_dims × u64 ne | u32 ggml_type | u64 offset)
 *   zero padding to general.alignment (default 32) | data section
 * </pre>
 * string = u64 byte length + UTF-8 bytes; array value = u32 element type | u64 count | elements.
 *
 * <p>Every count and length is checked against the bytes left in the file before anything is allocated,
 * nesting of arrays is bounded, and tensor infos are checked against the file size (in range, aligned, not
 * overlapping, unique names, shapes that fit the type's block size).
 */
final class GgufHeaderReader {
    static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
    static final int MAX_DIMS = 4;
    /** Deeper nesting than this is certainly corrupt (real files use one level) and would risk the stack. */
    static final int MAX_ARRAY_DEPTH = 8;
    /**
     * Total elements of all metadata arrays. Counts are already bounded by the bytes left in the file, but in a
     * multi-gigabyte file a corrupt count could still ask for more heap than exists. Real files hold about a
     * million (vocabulary tokens, scores, types, merges), so this leaves a wide margin.
     */
    static final long MAX_METADATA_ELEMENTS = 1L << 24;

    private final GgufCursor in;
    private final String source;
    private long metadataElementsLeft = MAX_METADATA_ELEMENTS;

    private GgufHeaderReader(MemorySegment file, String source) {
        this.in = new GgufCursor(file, source);
        this.source = source;
    }

    static GgufHeader read(MemorySegment file, String source) {
        return new GgufHeaderReader(file, source).read();
    }

    private GgufHeader read() {
        int magic = in.i32("the magic \"GGUF\"");
        if (magic != MAGIC) {
            throw in.error(0, "not a GGUF file: expected the magic \"GGUF\" (47 47 55 46) but found "
                    + String.format("%02x %02x %02x %02x", magic & 0xFF, magic >>> 8 & 0xFF, magic >>> 16 & 0xFF, magic >>> 24));
        }
        int version = readVersion();
        // every tensor info needs ≥ 8+4+4+8 bytes and every key/value ≥ 8+4+1, which bounds the counts
        long tensorCount = in.count("tensor count", Math.min(in.remaining() / 24, Integer.MAX_VALUE));
        long kvCount = in.count("metadata key/value count", Math.min((in.remaining() - 8) / 13, Integer.MAX_VALUE));
        GgufMetadata metadata = readMetadata((int) kvCount);
        int alignment = alignment(metadata);
        List<GgufTensorInfo> infos = readTensorInfos((int) tensorCount);
        long dataOffset = alignUp(in.position(), alignment);
        validateLayout(infos, alignment, dataOffset);
        return new GgufHeader(version, metadata, List.copyOf(infos), alignment, dataOffset);
    }

    private int readVersion() {
        long version = in.u32("the version");
        if (version == 2 || version == 3) {
            return (int) version;
        }
        if (version == 1) {
            throw in.error(4, "GGUF version 1 is not supported (it predates 64-bit counts); convert the file with a current llama.cpp");
        }
        if (Integer.reverseBytes((int) version) == 2 || Integer.reverseBytes((int) version) == 3) {
            throw in.error(4, "big-endian GGUF files are not supported");
        }
        throw in.error(4, "unsupported GGUF version " + version + ", expected 2 or 3");
    }

    private GgufMetadata readMetadata(int kvCount) {
        LinkedHashMap<String, GgufValue> values = new LinkedHashMap<>();
        for (int i = 0; i < kvCount; i++) {
            long keyOffset = in.position();
            String key = in.string("metadata key #" + i);
            if (values.containsKey(key)) {
                throw in.error(keyOffset, "duplicate metadata key " + GgufText.quote(key));
            }
            GgufValueType type = valueType("value type of " + GgufText.quote(key));
            values.put(key, readValue(type, key, 0));
        }
        return new GgufMetadata(source, values);
    }

    private GgufValueType valueType(String what) {
        long offset = in.position();
        long id = in.u32(what);
        for (GgufValueType t : GgufValueType.values()) {
            if (t.id() == id) {
                return t;
            }
        }
        throw in.error(offset, "unknown GGUF value type " + id + " for the " + what + ", expected 0..12");
    }

    private GgufValue readValue(GgufValueType type, String key, int depth) {
        if (type == GgufValueType.ARRAY) {
            return readArray(key, depth);
        }
        String what = "value of " + GgufText.quote(key) + "";
        Object value = switch (type) {
            case FLOAT32 -> in.f32(what);
            case FLOAT64 -> in.f64(what);
            case BOOL -> bool(what);
            case STRING -> in.string(what);
            default -> integer(type, what);
        };
        return new GgufValue(type, null, value);
    }

    /** An integer of any GGUF integer type, as a long (UINT64 keeps its raw bits). */
    private long integer(GgufValueType type, String what) {
        return switch (type) {
            case UINT8 -> in.u8(what);
            case INT8 -> (byte) in.u8(what);
            case UINT16 -> in.u16(what);
            case INT16 -> (short) in.u16(what);
            case UINT32 -> in.u32(what);
            case INT32 -> in.i32(what);
            case UINT64, INT64 -> in.i64(what);
            default -> throw new IllegalArgumentException(type + " is not an integer type");
        };
    }

    private boolean bool(String what) {
        long offset = in.position();
        int b = in.u8(what);
        if (b > 1) {
            throw in.error(offset, "the " + what + " is a bool but holds " + b + ", expected 0 or 1");
        }
        return b == 1;
    }

    private GgufValue readArray(String key, int depth) {
        long start = in.position();
        if (depth >= MAX_ARRAY_DEPTH) {
            throw in.error(start, "arrays nested deeper than " + MAX_ARRAY_DEPTH + " levels in " + GgufText.quote(key));
        }
        GgufValueType elementType = valueType("array element type of " + GgufText.quote(key));
        long minElementBytes = switch (elementType) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> elementType.size();
        };
        long countOffset = in.position();
        int n = (int) in.count("element count of " + GgufText.quote(key),
                Math.min((in.remaining() - 8) / minElementBytes, Integer.MAX_VALUE - 8));
        if (n > metadataElementsLeft) {
            throw in.error(countOffset, "metadata arrays hold more than " + MAX_METADATA_ELEMENTS
                    + " elements in total (at " + GgufText.quote(key) + "), more than any model file needs");
        }
        metadataElementsLeft -= n;
        String what = "element of " + GgufText.quote(key) + "";
        Object values = switch (elementType) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = integer(elementType, what);
                }
                yield a;
            }
            case FLOAT32, FLOAT64 -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = elementType == GgufValueType.FLOAT32 ? in.f32(what) : in.f64(what);
                }
                yield a;
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    a[i] = bool(what);
                }
                yield a;
            }
            case STRING -> {
                String[] a = new String[n];
                for (int i = 0; i < n; i++) {
                    a[i] = in.string(what);
                }
                yield a;
            }
            case ARRAY -> {
                GgufValue[] a = new GgufValue[n];
                for (int i = 0; i < n; i++) {
                    a[i] = readArray(key, depth + 1);
                }
                yield a;
            }
        };
        return new GgufValue(GgufValueType.ARRAY, elementType, values);
    }

    private int alignment(GgufMetadata metadata) {
        GgufValue v = metadata.find(GgufHeader.ALIGNMENT_KEY).orElse(null);
        if (v == null) {
            return GgufHeader.DEFAULT_ALIGNMENT;
        }
        if (v.type() != GgufValueType.UINT32) {
            throw new LlmoptException(source + ": metadata '" + GgufHeader.ALIGNMENT_KEY + "' must be a UINT32 but is " + v.type());
        }
        long a = (Long) v.value();
        if (a == 0 || (a & (a - 1)) != 0 || a > 1 << 30) {
            throw new LlmoptException(source + ": metadata '" + GgufHeader.ALIGNMENT_KEY + "' = " + a
                    + " must be a power of two (at most 2^30)");
        }
        return (int) a;
    }

    private List<GgufTensorInfo> readTensorInfos(int count) {
        List<GgufTensorInfo> infos = new ArrayList<>(Math.min(count, 1024)); // grows only with infos actually read
        Set<String> names = new HashSet<>();
        for (int i = 0; i < count; i++) {
            long start = in.position();
            String name = in.string("name of tensor #" + i);
            if (!names.add(name)) {
                throw in.error(start, "duplicate tensor name " + GgufText.quote(name));
            }
            long dimsOffset = in.position();
            long nDims = in.u32("dimension count of tensor " + GgufText.quote(name));
            if (nDims > MAX_DIMS) {
                throw in.error(dimsOffset, "tensor " + GgufText.quote(name) + " has " + nDims + " dimensions, at most " + MAX_DIMS + " are allowed");
            }
            long[] ne = new long[(int) nDims];
            for (int d = 0; d < nDims; d++) {
                ne[d] = in.count("dimension " + d + " of tensor " + GgufText.quote(name), Long.MAX_VALUE);
            }
            long typeOffset = in.position();
            long typeId = in.u32("type of tensor " + GgufText.quote(name));
            GgmlType type = ggmlType(typeId);
            if (type == null) {
                throw in.error(typeOffset, "tensor " + GgufText.quote(name) + " has unknown ggml type " + typeId);
            }
            long elements = 1;
            for (long dim : ne) {
                elements = multiplyOrFail(elements, dim, dimsOffset, name);
            }
            if (ne.length > 0 && ne[0] % type.blockSize() != 0) {
                throw in.error(dimsOffset, "tensor " + GgufText.quote(name) + " is " + type + " with rows of " + ne[0]
                        + " values, not a multiple of its block size " + type.blockSize());
            }
            multiplyOrFail(elements / type.blockSize(), type.blockBytes(), dimsOffset, name);
            long offset = in.count("data offset of tensor " + GgufText.quote(name), Long.MAX_VALUE);
            infos.add(new GgufTensorInfo(name, ne, type, offset));
        }
        return infos;
    }

    private long multiplyOrFail(long a, long b, long offset, String name) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw in.error(offset, "tensor " + GgufText.quote(name) + " is too large: its element or byte count overflows 64 bits");
        }
    }

    private static GgmlType ggmlType(long id) {
        for (GgmlType t : GgmlType.values()) {
            if (t.id() == id) {
                return t;
            }
        }
        return null;
    }

    /** Checks that every tensor lies inside the file, aligned, and that no two overlap. */
    private void validateLayout(List<GgufTensorInfo> infos, int alignment, long dataOffset) {
        long fileSize = in.size();
        for (GgufTensorInfo t : infos) {
            if (t.offset() % alignment != 0) {
                throw new LlmoptException(source + ": tensor " + GgufText.quote(t.name()) + " has data offset " + t.offset()
                        + ", not a multiple of the alignment " + alignment);
            }
            long available = fileSize - dataOffset;
            if (t.offset() > available || t.byteSize() > available - t.offset()) {
                throw new LlmoptException(source + ": tensor " + GgufText.quote(t.name()) + " (" + t.type() + ", " + t.byteSize()
                        + " bytes) at byte " + (dataOffset + t.offset()) + " ends past the end of the file ("
                        + fileSize + " bytes)");
            }
        }
        List<GgufTensorInfo> byOffset = new ArrayList<>(infos);
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        GgufTensorInfo furthest = null; // the tensor that reaches furthest among those seen so far
        for (GgufTensorInfo t : byOffset) {
            if (t.byteSize() == 0) {
                continue;
            }
            if (furthest != null && furthest.offset() + furthest.byteSize() > t.offset()) {
                throw new LlmoptException(source + ": tensors " + GgufText.quote(furthest.name()) + " and " + GgufText.quote(t.name())
                        + " overlap (data offsets " + furthest.offset() + " + " + furthest.byteSize() + " bytes > " + t.offset() + ")");
            }
            if (furthest == null || t.offset() + t.byteSize() > furthest.offset() + furthest.byteSize()) {
                furthest = t;
            }
        }
    }

    static long alignUp(long position, int alignment) {
        return (position + alignment - 1) / alignment * alignment;
    }
}
