package io.llmopt.cli;

import io.llmopt.tensor.LlmoptException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model llmopt ships ({@value #RELATIVE_PATH} in the repository, trained by llmopt itself; see models/README.md),
 * used by the model commands when no {@code -m} is given. The repository root is the system property
 * {@code llmopt.home} (set by the {@code ./llmopt} launcher), else found from where the CLI's classes were loaded
 * ({@code <root>/llmopt-cli/target/llmopt-cli.jar} or {@code <root>/llmopt-cli/target/classes}).
 */
public final class DemoModel {
    public static final String RELATIVE_PATH = "models/llmopt-stories-demo.gguf";

    private DemoModel() {
    }

    /** The demo model's file; a one-line error when it cannot be found. */
    public static Path path() {
        Path root = root();
        Path file = root == null ? Path.of(RELATIVE_PATH) : root.resolve(RELATIVE_PATH);
        if (!Files.isRegularFile(file)) {
            throw new LlmoptException("no -m MODEL given and the built-in demo model " + file + " is missing "
                    + "(give a model with -m, or run from an llmopt checkout)");
        }
        return file;
    }

    /** The repository root, or null when it cannot be told. */
    static Path root() {
        String home = System.getProperty("llmopt.home");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        try {
            Path classes = Path.of(DemoModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // <root>/llmopt-cli/target/{llmopt-cli.jar | classes}
            Path target = classes.getParent();
            Path module = target == null ? null : target.getParent();
            return module == null ? null : module.getParent();
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return null;
        }
    }
}
