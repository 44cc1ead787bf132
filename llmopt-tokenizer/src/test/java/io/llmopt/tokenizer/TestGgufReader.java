package io.llmopt.tokenizer;

import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufValue;
import io.llmopt.formats.gguf.GgufValueType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TEST HELPER ONLY: reads the key/value metadata of a GGUF v2/v3 file so that the tokenizer tests can run on the
 * vocab-only GGUFs before the real reader ({@code io.llmopt.formats.gguf.GgufFile}) is available on this branch.
 * Tensor infos and data are not read.
 */
final class TestGgufReader {
    private TestGgufReader() {
    }

    static GgufMetadata read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt() != 0x46554747) {
            throw new IOException(file + ": not a GGUF file");
        }
        int version = b.getInt();
        if (version < 2) {
            throw new IOException(file + ": GGUF v" + version + " not supported by the test reader");
        }
        b.getLong(); // tensor count
        long kvCount = b.getLong();
        Map<String, GgufValue> values = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string(b);
            GgufValueType type = GgufValueType.byId(b.getInt());
            values.put(key, value(b, type));
        }
        return new GgufMetadata(file.toString(), values);
    }

    private static String string(ByteBuffer b) {
        int len = (int) b.getLong();
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Object scalar(ByteBuffer b, GgufValueType t) {
        return switch (t) {
            case UINT8 -> (long) (b.get() & 0xFF);
            case INT8 -> (long) b.get();
            case UINT16 -> (long) (b.getShort() & 0xFFFF);
            case INT16 -> (long) b.getShort();
            case UINT32 -> b.getInt() & 0xFFFFFFFFL;
            case INT32 -> (long) b.getInt();
            case UINT64, INT64 -> b.getLong();
            case FLOAT32 -> (double) b.getFloat();
            case FLOAT64 -> b.getDouble();
            case BOOL -> b.get() != 0;
            case STRING -> string(b);
            case ARRAY -> throw new IllegalStateException("nested array");
        };
    }

    private static GgufValue value(ByteBuffer b, GgufValueType type) {
        if (type != GgufValueType.ARRAY) {
            return new GgufValue(type, null, scalar(b, type));
        }
        GgufValueType element = GgufValueType.byId(b.getInt());
        int n = (int) b.getLong();
        Object array;
        if (element == GgufValueType.STRING) {
            String[] a = new String[n];
            for (int i = 0; i < n; i++) {
                a[i] = string(b);
            }
            array = a;
        } else if (element.isFloat()) {
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = (Double) scalar(b, element);
            }
            array = a;
        } else if (element == GgufValueType.BOOL) {
            boolean[] a = new boolean[n];
            for (int i = 0; i < n; i++) {
                a[i] = b.get() != 0;
            }
            array = a;
        } else {
            long[] a = new long[n];
            for (int i = 0; i < n; i++) {
                a[i] = (Long) scalar(b, element);
            }
            array = a;
        }
        return new GgufValue(GgufValueType.ARRAY, element, array);
    }
}
