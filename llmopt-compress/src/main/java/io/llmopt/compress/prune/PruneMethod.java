package io.llmopt.compress.prune;

import io.llmopt.tensor.LlmoptException;
import java.util.Locale;

/** The unstructured scoring rules. */
public enum PruneMethod {
    MAGNITUDE("magnitude"), GLOBAL_MAGNITUDE("global-magnitude"), WANDA("wanda"), SPARSEGPT("sparsegpt");

    private final String cliName;

    PruneMethod(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    public static PruneMethod parse(String s) {
        for (PruneMethod m : values()) {
            if (m.cliName.equals(s.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new LlmoptException("--method must be magnitude, global-magnitude, wanda or sparsegpt, got '" + s + "'");
    }
}
