package io.llmopt.cli.prune;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Opt-in: runs {@code llmopt prune} with the arguments of -Dllmopt.pruneArgs (split on spaces) until the
 * command is registered in Main, e.g.
 * <pre>./mvnw -B -q -pl llmopt-cli -am test -Dtest=PruneCliRun -Dsurefire.failIfNoSpecifiedTests=false \
 *   "-Dllmopt.pruneArgs=-m /tmp/models/tinyllama-f16.gguf -o /tmp/tl-layers25.gguf --structured layers --ratio 0.25"</pre>
 */
class PruneCliRun {
    @Test
    @EnabledIfSystemProperty(named = "llmopt.pruneArgs", matches = ".+")
    void run() {
        PruneCli r = PruneCli.run(System.getProperty("llmopt.pruneArgs").trim().split("\\s+"));
        System.out.println(r.out());
        System.out.println(r.err());
        if (r.exitCode() != 0) {
            throw new AssertionError("prune failed: " + r.err());
        }
    }
}
