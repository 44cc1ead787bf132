package io.llmopt.formats.gguf;

import io.llmopt.tensor.LlmoptException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The key/value metadata of a GGUF file, in file order. Typed getters fail with a one-line
 * {@link LlmoptException} that names the source file and the key.
 */
public final class GgufMetadata {
    private final String source;
    private final LinkedHashMap<String, GgufValue> values;

    public GgufMetadata(String source, Map<String, GgufValue> values) {
        this.source = source;
        this.values = new LinkedHashMap<>(values);
    }

    public static GgufMetadata empty(String source) {
        return new GgufMetadata(source, Map.of());
    }

    /** Where the metadata came from (a file path), used in error messages. */
    public String source() {
        return source;
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public Map<String, GgufValue> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> find(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public GgufValue get(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw new LlmoptException(source + ": missing GGUF metadata key '" + key + "'");
        }
        return v;
    }

    /** A copy with {@code key} set (added at the end, or replaced in place). */
    public GgufMetadata with(String key, GgufValue value) {
        LinkedHashMap<String, GgufValue> copy = new LinkedHashMap<>(values);
        copy.put(key, value);
        return new GgufMetadata(source, copy);
    }

    public GgufMetadata without(String key) {
        LinkedHashMap<String, GgufValue> copy = new LinkedHashMap<>(values);
        copy.remove(key);
        return new GgufMetadata(source, copy);
    }

    private LlmoptException wrongType(String key, String expected, GgufValue v) {
        String actual = v.isArray() ? "array of " + v.elementType() : v.type().toString();
        return new LlmoptException(source + ": GGUF metadata key '" + key + "' should be " + expected + " but is " + actual);
    }

    public String getString(String key) {
        return findString(key).orElseThrow(() -> new LlmoptException(source + ": missing GGUF metadata key '" + key + "'"));
    }

    public Optional<String> findString(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v.type() != GgufValueType.STRING) {
            throw wrongType(key, "a string", v);
        }
        return Optional.of((String) v.value());
    }

    public long getLong(String key) {
        return findLong(key).orElseThrow(() -> new LlmoptException(source + ": missing GGUF metadata key '" + key + "'"));
    }

    public OptionalLong findLong(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (!v.type().isInteger()) {
            throw wrongType(key, "an integer", v);
        }
        return OptionalLong.of((Long) v.value());
    }

    /** An integer value that must fit in an int (e.g. a layer count). */
    public int getInt(String key) {
        long v = getLong(key);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new LlmoptException(source + ": GGUF metadata key '" + key + "' = " + v + " is out of range");
        }
        return (int) v;
    }

    public double getDouble(String key) {
        return findDouble(key).orElseThrow(() -> new LlmoptException(source + ": missing GGUF metadata key '" + key + "'"));
    }

    /** A float value; integer values are accepted and widened. */
    public OptionalDouble findDouble(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            return OptionalDouble.empty();
        }
        if (v.type().isFloat()) {
            return OptionalDouble.of((Double) v.value());
        }
        if (v.type().isInteger()) {
            return OptionalDouble.of((Long) v.value());
        }
        throw wrongType(key, "a number", v);
    }

    public Optional<Boolean> findBoolean(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v.type() != GgufValueType.BOOL) {
            throw wrongType(key, "a bool", v);
        }
        return Optional.of((Boolean) v.value());
    }

    private GgufValue array(String key, String expected) {
        GgufValue v = get(key);
        if (!v.isArray()) {
            throw wrongType(key, expected, v);
        }
        return v;
    }

    public String[] getStringArray(String key) {
        GgufValue v = array(key, "an array of strings");
        if (v.elementType() != GgufValueType.STRING) {
            throw wrongType(key, "an array of strings", v);
        }
        return ((String[]) v.value()).clone();
    }

    public float[] getFloatArray(String key) {
        GgufValue v = array(key, "an array of numbers");
        if (v.value() instanceof double[] d) {
            float[] f = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                f[i] = (float) d[i];
            }
            return f;
        }
        if (v.value() instanceof long[] l) {
            float[] f = new float[l.length];
            for (int i = 0; i < l.length; i++) {
                f[i] = l[i];
            }
            return f;
        }
        throw wrongType(key, "an array of numbers", v);
    }

    public int[] getIntArray(String key) {
        GgufValue v = array(key, "an array of integers");
        if (!(v.value() instanceof long[] l)) {
            throw wrongType(key, "an array of integers", v);
        }
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] < Integer.MIN_VALUE || l[i] > Integer.MAX_VALUE) {
                throw new LlmoptException(source + ": GGUF metadata key '" + key + "'[" + i + "] = " + l[i] + " is out of range");
            }
            out[i] = (int) l[i];
        }
        return out;
    }
}
