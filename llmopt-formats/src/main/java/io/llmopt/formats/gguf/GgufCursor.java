package io.llmopt.formats.gguf;

import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.LlmoptException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked little-endian reader over the bytes of one GGUF file. Every read first checks that the
 * bytes exist, so a truncated or corrupt file fails with a one-line {@link LlmoptException} naming the file,
 * the byte offset and what was expected — never an IndexOutOfBoundsException.
 */
final class GgufCursor {
    /**
     * Total bytes of all strings of a header. Real headers hold a few MB (vocabularies, merges, chat templates);
     * the limit keeps a corrupt length in a multi-gigabyte file from exhausting the heap.
     */
    static final long MAX_STRING_BYTES = 256L << 20;

    private final MemorySegment bytes;
    private final String source;
    private long position;
    private long stringBytesLeft = MAX_STRING_BYTES;

    GgufCursor(MemorySegment bytes, String source) {
        this.bytes = bytes;
        this.source = source;
    }

    long position() {
        return position;
    }

    long size() {
        return bytes.byteSize();
    }

    long remaining() {
        return bytes.byteSize() - position;
    }

    /** An error about the item that starts at {@code offset}. */
    LlmoptException error(long offset, String message) {
        return new LlmoptException(source + ": byte " + offset + ": " + message);
    }

    private void need(long count, String what) {
        if (count > remaining()) {
            throw error(position, "file truncated: expected " + count + " bytes of " + what + " but only "
                    + remaining() + " remain (file size " + bytes.byteSize() + ")");
        }
    }

    int u8(String what) {
        need(1, what);
        int v = bytes.get(Layouts.BYTE, position) & 0xFF;
        position += 1;
        return v;
    }

    int u16(String what) {
        need(2, what);
        int v = bytes.get(Layouts.SHORT, position) & 0xFFFF;
        position += 2;
        return v;
    }

    int i32(String what) {
        need(4, what);
        int v = bytes.get(Layouts.INT, position);
        position += 4;
        return v;
    }

    /** An unsigned 32-bit value. */
    long u32(String what) {
        return i32(what) & 0xFFFF_FFFFL;
    }

    /** A 64-bit value as its raw bits (unsigned values above 2^63 come back negative). */
    long i64(String what) {
        need(8, what);
        long v = bytes.get(Layouts.LONG, position);
        position += 8;
        return v;
    }

    /**
     * An unsigned 64-bit count or size that must be at most {@code limit} (callers pass what the rest of the
     * file can hold, so no allocation is ever sized by an unchecked number).
     */
    long count(String what, long limit) {
        long start = position;
        long v = i64(what);
        if (v < 0 || v > limit) {
            throw error(start, what + " is " + Long.toUnsignedString(v) + " but at most " + limit + " fits in the rest of the file");
        }
        return v;
    }

    double f32(String what) {
        need(4, what);
        float v = bytes.get(Layouts.FLOAT, position);
        position += 4;
        return v;
    }

    double f64(String what) {
        need(8, what);
        double v = bytes.get(Layouts.DOUBLE, position);
        position += 8;
        return v;
    }

    /**
     * A GGUF string: u64 byte length, then UTF-8 bytes (no terminator). Malformed UTF-8 is decoded with
     * U+FFFD replacement characters rather than rejected (some vocabularies contain partial sequences).
     */
    String string(String what) {
        long start = position;
        long length = count(what + " length", Math.min(remaining() - 8, Integer.MAX_VALUE - 8));
        if (length > stringBytesLeft) {
            throw error(start, "the strings of this header exceed " + MAX_STRING_BYTES + " bytes in total (at the "
                    + what + "), more than any model file needs");
        }
        stringBytesLeft -= length;
        if (length == 0) {
            return "";
        }
        byte[] data = bytes.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE);
        position += length;
        return new String(data, StandardCharsets.UTF_8);
    }

    void skipTo(long offset) {
        position = offset;
    }
}
