package io.llmopt.formats.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/** A buffered little-endian writer to a file channel that knows its position (for alignment padding). */
final class GgufOutput {
    private static final int BUFFER_BYTES = 1 << 20;

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    /** The whole buffer as a segment (made while position = 0 and limit = capacity): offset = buffer index. */
    private final MemorySegment bufferSegment = MemorySegment.ofBuffer(buffer);
    private long position;

    GgufOutput(FileChannel channel) {
        this.channel = channel;
    }

    long position() {
        return position;
    }

    private void room(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
        }
    }

    void u8(int v) throws IOException {
        room(1);
        buffer.put((byte) v);
        position += 1;
    }

    void u16(int v) throws IOException {
        room(2);
        buffer.putShort((short) v);
        position += 2;
    }

    void u32(long v) throws IOException {
        room(4);
        buffer.putInt((int) v);
        position += 4;
    }

    void u64(long v) throws IOException {
        room(8);
        buffer.putLong(v);
        position += 8;
    }

    void f32(float v) throws IOException {
        room(4);
        buffer.putFloat(v);
        position += 4;
    }

    void f64(double v) throws IOException {
        room(8);
        buffer.putDouble(v);
        position += 8;
    }

    /** A GGUF string: u64 byte length + UTF-8 bytes. */
    void string(String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        u64(utf8.length);
        bytes(MemorySegment.ofArray(utf8));
    }

    /** Copies {@code data} (any size, e.g. a slice of a mapped file larger than 2 GB) in buffer-sized chunks. */
    void bytes(MemorySegment data) throws IOException {
        long done = 0;
        long size = data.byteSize();
        while (done < size) {
            if (!buffer.hasRemaining()) {
                flush();
            }
            int chunk = (int) Math.min(buffer.remaining(), size - done);
            MemorySegment.copy(data, done, bufferSegment, buffer.position(), chunk);
            buffer.position(buffer.position() + chunk);
            done += chunk;
        }
        position += size;
    }

    /** Zero bytes up to the next multiple of {@code alignment}. */
    void pad(int alignment) throws IOException {
        while (position % alignment != 0) {
            u8(0);
        }
    }

    void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
        buffer.clear();
    }
}
