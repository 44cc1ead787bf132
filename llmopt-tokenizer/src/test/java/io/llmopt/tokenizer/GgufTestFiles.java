package io.llmopt.tokenizer;

import io.llmopt.formats.gguf.GgufFile;
import io.llmopt.formats.gguf.GgufMetadata;
import java.nio.file.Path;

/** The metadata of a shared GGUF file, read with the real reader (tokenizers need nothing else). */
final class GgufTestFiles {
    private GgufTestFiles() {
    }

    static GgufMetadata metadata(Path file) {
        try (GgufFile gguf = GgufFile.open(file)) {
            return gguf.metadata();
        }
    }
}
