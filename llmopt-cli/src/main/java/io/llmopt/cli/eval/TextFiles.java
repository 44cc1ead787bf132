package io.llmopt.cli.eval;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads evaluation texts (UTF-8, refused otherwise with a one-line error). */
final class TextFiles {
    private TextFiles() {
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new LlmoptException(file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new LlmoptException(file + ": not valid UTF-8 text");
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
