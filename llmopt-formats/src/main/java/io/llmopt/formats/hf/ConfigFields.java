package io.llmopt.formats.hf;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.tensor.LlmoptException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Typed access to the fields of one JSON object of a config file. As in transformers, an explicit
 * {@code null} means "not set" (the default applies). Wrong types fail with a one-line message naming the
 * file and the field (with its parent object, e.g. {@code rope_scaling.factor}).
 */
final class ConfigFields {
    private final String source;
    private final String prefix;
    private final JsonNode object;

    ConfigFields(String source, String prefix, JsonNode object) {
        this.source = source;
        this.prefix = prefix;
        this.object = object;
    }

    String source() {
        return source;
    }

    /** The field's node, or null when absent or JSON null. */
    JsonNode node(String field) {
        JsonNode n = object.get(field);
        return n == null || n.isNull() ? null : n;
    }

    boolean has(String field) {
        return node(field) != null;
    }

    LlmoptException error(String field, String problem) {
        return new LlmoptException(source + ": field '" + prefix + field + "' " + problem);
    }

    private LlmoptException wrongType(String field, String expected, JsonNode found) {
        String shown = found.toString();
        if (shown.length() > 60) {
            shown = shown.substring(0, 60) + "…";
        }
        return error(field, "must be " + expected + ", found " + shown.replaceAll("\\p{Cntrl}", " "));
    }

    int requiredInt(String field) {
        return optionalInt(field).orElseThrow(() -> error(field, "is required but missing"));
    }

    OptionalInt optionalInt(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(intValue(field, n));
    }

    private int intValue(String field, JsonNode n) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw wrongType(field, "an integer", n);
        }
        return n.intValue();
    }

    double requiredDouble(String field) {
        return optionalDouble(field).orElseThrow(() -> error(field, "is required but missing"));
    }

    OptionalDouble optionalDouble(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return OptionalDouble.empty();
        }
        if (!n.isNumber()) {
            throw wrongType(field, "a number", n);
        }
        return OptionalDouble.of(n.doubleValue());
    }

    Optional<Boolean> optionalBoolean(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isBoolean()) {
            throw wrongType(field, "true or false", n);
        }
        return Optional.of(n.booleanValue());
    }

    Optional<String> optionalString(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isTextual()) {
            throw wrongType(field, "a string", n);
        }
        return Optional.of(n.textValue());
    }

    /** An integer or a list of integers (as {@code eos_token_id} may be); empty list when absent. */
    List<Integer> intOrIntList(String field) {
        JsonNode n = node(field);
        List<Integer> out = new ArrayList<>();
        if (n == null) {
            return out;
        }
        if (n.isArray()) {
            for (JsonNode e : n) {
                if (e.isNull() || !e.isIntegralNumber() || !e.canConvertToInt()) {
                    throw wrongType(field, "an integer or a list of integers", n);
                }
                out.add(e.intValue());
            }
        } else {
            out.add(intValue(field, n));
        }
        return out;
    }

    /** A nested object's fields, or empty when absent/null. */
    Optional<ConfigFields> optionalObject(String field) {
        JsonNode n = node(field);
        if (n == null) {
            return Optional.empty();
        }
        if (!n.isObject()) {
            throw wrongType(field, "an object", n);
        }
        return Optional.of(new ConfigFields(source, prefix + field + ".", n));
    }
}
