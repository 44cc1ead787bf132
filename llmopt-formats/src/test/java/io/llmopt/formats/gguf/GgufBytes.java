package io.llmopt.formats.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds raw GGUF bytes field by field, so tests can write exactly the (broken) file they need. */
final class GgufBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** "GGUF", version, tensor count, kv count. */
    static GgufBytes header(int version, long tensorCount, long kvCount) {
        return new GgufBytes().raw('G', 'G', 'U', 'F').u32(version).u64(tensorCount).u64(kvCount);
    }

    GgufBytes raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    GgufBytes u32(long v) {
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        return this;
    }

    GgufBytes u64(long v) {
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        return this;
    }

    GgufBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        out.writeBytes(b);
        return this;
    }

    /** A key with a UINT32 value. */
    GgufBytes kvU32(String key, long value) {
        return str(key).u32(GgufValueType.UINT32.id()).u32(value);
    }

    /** A tensor info: name, dims (ggml order), type id, offset. */
    GgufBytes tensor(String name, long[] ne, int type, long offset) {
        str(name).u32(ne.length);
        for (long d : ne) {
            u64(d);
        }
        return u32(type).u64(offset);
    }

    GgufBytes pad(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    GgufBytes zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
