package io.llmopt.compress.prune.structured;

import io.llmopt.tensor.LlmoptException;
import java.util.Locale;

/** What to remove: {@code ratio} of the heads (kv groups), MLP neurons or layers. */
public record StructuredTarget(Kind kind, double ratio) {

    public enum Kind { HEADS, NEURONS, LAYERS }

    public StructuredTarget {
        if (!(ratio > 0 && ratio < 1)) {
            throw new LlmoptException("--ratio must be in (0, 1), got " + ratio);
        }
    }

    public static StructuredTarget parse(String kind, double ratio) {
        Kind k = switch (kind.trim().toLowerCase(Locale.ROOT)) {
            case "heads" -> Kind.HEADS;
            case "neurons" -> Kind.NEURONS;
            case "layers" -> Kind.LAYERS;
            default -> throw new LlmoptException("--structured must be heads, neurons or layers, got '" + kind + "'");
        };
        return new StructuredTarget(k, ratio);
    }

    /** How many of {@code n} units to remove: round(ratio·n), at least 1, leaving at least 1. */
    int removeCount(int n, String what) {
        int k = Math.max(1, (int) Math.round(ratio * n));
        if (k >= n) {
            throw new LlmoptException("--ratio " + ratio + " would remove all " + n + " " + what);
        }
        return k;
    }
}
