package io.llmopt.formats.gguf;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Loads the committed reference fixtures of this package (see the make_*.py scripts beside them). */
final class Fixtures {
    // BigDecimal keeps the exact decimal text, so float32 values convert with a single correct rounding
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Fixtures() {
    }

    static JsonNode json(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float f32(JsonNode n) {
        return n.decimalValue().floatValue();
    }
}
