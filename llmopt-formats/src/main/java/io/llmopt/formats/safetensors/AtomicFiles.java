package io.llmopt.formats.safetensors;

import static io.llmopt.formats.safetensors.Messages.oneLine;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Write-to-temporary-then-rename, so that an interrupted write never leaves a half-written file under the
 * final name: the temporary lives in the target's directory (a rename within one file system is atomic) and
 * is flushed to disk before the rename.
 */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /** A new empty temporary file beside {@code target}, named after it (hidden, ".tmp" suffix). */
    static Path temporaryFor(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            return Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        } catch (IOException e) {
            throw new LlmoptException(target + ": cannot create a temporary file in " + dir + ": " + oneLine(e.getMessage()), e);
        }
    }

    static FileChannel openForWriting(Path temp) throws IOException {
        return FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Renames {@code temp} over {@code target} atomically (replacing any existing file). */
    static void commit(Path temp, Path target) {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LlmoptException(target + ": cannot move the finished file into place: " + oneLine(e.toString()), e);
        }
    }

    /** Best-effort removal used while cleaning up after a failure; never throws. */
    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException | RuntimeException ignored) {
            // the original failure is what the user needs to see
        }
    }
}
