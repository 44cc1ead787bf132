package io.llmopt.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Typed, validated access to the fields of a JSON request body. Every violation is a 400 naming the field
 * ({@code param}) and the allowed range; JSON {@code null} counts as absent (clients send it for defaults).
 */
public final class Fields {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final ObjectNode body;

    private Fields(ObjectNode body) {
        this.body = body;
    }

    /** Parses a request body that must be one JSON object. */
    public static Fields parse(byte[] bytes) {
        JsonNode node;
        try {
            node = MAPPER.readTree(bytes);
        } catch (JacksonException e) {
            throw ApiException.badRequest(null, "the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest(null, "the request body could not be read: " + e.getMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw ApiException.badRequest(null, "the request body is empty; expected a JSON object");
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiException.badRequest(null, "the request body must be a JSON object, got " + kind(node));
        }
        return new Fields(object);
    }

    /** The raw node, or null when absent or JSON null. */
    public JsonNode node(String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    public boolean has(String name) {
        return node(name) != null;
    }

    public String requiredString(String name) {
        return string(name).orElseThrow(() -> ApiException.badRequest(name, "'" + name + "' is required"));
    }

    public Optional<String> string(String name) {
        JsonNode n = node(name);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw ApiException.badRequest(name, "'" + name + "' must be a string, got " + kind(n));
        }
        return Optional.of(n.textValue());
    }

    public boolean bool(String name, boolean fallback) {
        JsonNode n = node(name);
        if (n == null) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw ApiException.badRequest(name, "'" + name + "' must be a boolean, got " + kind(n));
        }
        return n.booleanValue();
    }

    /** An integer in [min, max] (whole numbers only: 2.5 and "2" are rejected). */
    public OptionalInt integer(String name, int min, int max) {
        JsonNode n = node(name);
        if (n == null) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(integerValue(n, name, min, max));
    }

    /** An integer that fits a signed 64-bit value (e.g. seed). */
    public OptionalLong longInteger(String name) {
        JsonNode n = node(name);
        if (n == null) {
            return OptionalLong.empty();
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ApiException.badRequest(name, "'" + name + "' must be an integer between "
                    + Long.MIN_VALUE + " and " + Long.MAX_VALUE + ", got " + brief(n));
        }
        return OptionalLong.of(n.longValue());
    }

    /** A finite number in [min, max]. */
    public OptionalDouble number(String name, double min, double max) {
        JsonNode n = node(name);
        if (n == null) {
            return OptionalDouble.empty();
        }
        if (!n.isNumber()) {
            throw ApiException.badRequest(name, "'" + name + "' must be a number, got " + kind(n));
        }
        double v = n.doubleValue();
        if (!Double.isFinite(v) || v < min || v > max) {
            throw ApiException.badRequest(name, "'" + name + "' must be in [" + fmt(min) + ", " + fmt(max) + "], got " + brief(n));
        }
        return OptionalDouble.of(v);
    }

    static int integerValue(JsonNode n, String name, int min, int max) {
        if (!n.isIntegralNumber()) {
            throw ApiException.badRequest(name, "'" + name + "' must be an integer, got " + kind(n) + " " + brief(n));
        }
        if (!n.canConvertToInt() || n.intValue() < min || n.intValue() > max) {
            throw ApiException.badRequest(name, "'" + name + "' must be an integer in [" + min + ", " + max + "], got " + brief(n));
        }
        return n.intValue();
    }

    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "a " + n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    static String brief(JsonNode n) {
        String s = n.toString();
        return s.length() > 40 ? s.substring(0, 40) + "…" : s;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
