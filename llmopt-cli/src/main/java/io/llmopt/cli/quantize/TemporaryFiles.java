package io.llmopt.cli.quantize;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Removes the writer's temporary file when the JVM is stopped (Ctrl-C) in the middle of writing {@code target}.
 * The GGUF writer already never leaves a partial target and deletes its temporary file on errors; a signal,
 * though, ends the JVM without running the writer's cleanup, so a shutdown hook does it. The hook matches the
 * writer's naming ({@code .<target name>.<hex>.tmp} in the target's directory).
 */
public final class TemporaryFiles {
    private TemporaryFiles() {
    }

    /** Installs the hook; run the returned action when writing is over (it removes the hook). */
    public static Runnable guard(Path target) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        String prefix = "." + abs.getFileName() + ".";
        Thread hook = new Thread(() -> {
            if (dir == null) {
                return;
            }
            try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, p -> {
                String n = p.getFileName().toString();
                return n.startsWith(prefix) && n.endsWith(".tmp");
            })) {
                for (Path t : temps) {
                    Files.deleteIfExists(t);
                }
            } catch (IOException ignored) {
                // the JVM is exiting; nothing more can be done
            }
        }, "llmopt-quantize-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // already running: let it clean up
            }
        };
    }
}
