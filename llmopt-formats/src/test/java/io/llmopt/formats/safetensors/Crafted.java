package io.llmopt.formats.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors bytes by hand (header text as given, no padding) for tests of malformed input. */
final class Crafted {
    private Crafted() {
    }

    static byte[] bytes(byte[] header, byte[] data) {
        return ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(data).array();
    }

    static byte[] bytes(String header, int dataBytes) {
        return bytes(header.getBytes(StandardCharsets.UTF_8), new byte[dataBytes]);
    }

    static Path file(Path dir, String name, String header, int dataBytes) throws IOException {
        return Files.write(dir.resolve(name), bytes(header, dataBytes));
    }
}
