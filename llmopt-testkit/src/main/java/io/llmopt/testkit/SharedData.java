package io.llmopt.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates the project's shared test data ({@code ../shared}, or {@code $LLMOPT_SHARED}, or the system
 * property {@code llmopt.shared}). Tests that need it call {@link #require(String)}: where it is absent they
 * are skipped with a visible "skipped: shared data not found" line instead of failing or passing silently.
 */
public final class SharedData {
    private SharedData() {
    }

    public static Path root() {
        String env = System.getenv("LLMOPT_SHARED");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String prop = System.getProperty("llmopt.shared");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        return Path.of("..", "shared");
    }

    public static boolean available() {
        return Files.isDirectory(root().resolve("models"));
    }

    /** Returns {@code root()/relative}, or skips the calling test when it does not exist. */
    public static Path require(String relative) {
        Path p = root().resolve(relative).normalize();
        if (!Files.exists(p)) {
            System.out.println("skipped: shared data not found: " + p);
            Assumptions.abort("skipped: shared data not found: " + p);
        }
        return p;
    }
}
