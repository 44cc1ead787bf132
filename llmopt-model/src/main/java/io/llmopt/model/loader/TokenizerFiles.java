package io.llmopt.model.loader;

import io.llmopt.formats.gguf.GgufFile;
import io.llmopt.formats.gguf.GgufMetadata;
import io.llmopt.formats.gguf.GgufValue;
import io.llmopt.tokenizer.Tokenizer;
import io.llmopt.tokenizer.Tokenizers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokenizers given by file, whatever the form: a GGUF file (its vocabulary), a llama2.c tokenizer .bin, a
 * tokenizer.json / tokenizer.model, or a Hugging Face directory.
 */
public final class TokenizerFiles {
    private TokenizerFiles() {
    }

    /** @param vocabSize the model's vocabulary size (llama2.c tokenizer files do not store it) */
    public static Tokenizer load(Path file, int vocabSize) {
        if (Files.isRegularFile(file) && ModelLoader.isGguf(file)) {
            return Tokenizers.fromGguf(ggufTokenizerKeys(file));
        }
        if (file.getFileName().toString().endsWith(".bin")) {
            return Tokenizers.fromLlama2c(file, vocabSize);
        }
        return Tokenizers.load(file);
    }

    /** The {@code tokenizer.*} metadata of a GGUF file (a model or a vocab-only file). */
    public static GgufMetadata ggufTokenizerKeys(Path gguf) {
        try (GgufFile f = GgufFile.open(gguf)) {
            Map<String, GgufValue> keys = new LinkedHashMap<>();
            f.metadata().asMap().forEach((k, v) -> {
                if (k.startsWith("tokenizer.")) {
                    keys.put(k, v);
                }
            });
            return new GgufMetadata(gguf.toString(), keys);
        }
    }
}
