package io.llmopt.compress.bnb;

import io.llmopt.model.loader.LoadedModel;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Puts the input's tokenizer files beside a written Hugging Face directory, as {@code llmopt convert} does: an HF
 * input's tokenizer files, or a llama2.c checkpoint's SentencePiece .model. A GGUF input carries its vocabulary
 * only as metadata, which has no Hugging Face file form here: the caller is told.
 */
final class TokenizerCopy {
    private static final String[] HF_FILES = {"tokenizer.json", "tokenizer.model", "tokenizer_config.json",
        "special_tokens_map.json", "generation_config.json"};

    private TokenizerCopy() {
    }

    /** Copies what exists; returns a warning when no tokenizer file could be provided. */
    static Optional<String> copy(LoadedModel m, Path outDir) {
        try {
            if (Files.isDirectory(m.path())) {
                boolean any = false;
                for (String f : HF_FILES) {
                    Path src = m.path().resolve(f);
                    if (Files.isRegularFile(src)) {
                        Files.copy(src, outDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                        any = true;
                    }
                }
                return any ? Optional.empty() : Optional.of(m.path() + " has no tokenizer files to copy");
            }
            Object tok = m.fileMetadata().get("tokenizer.file");
            if (tok != null && tok.toString().endsWith(".model")) {
                Files.copy(Path.of(tok.toString()), outDir.resolve("tokenizer.model"), StandardCopyOption.REPLACE_EXISTING);
                return Optional.empty();
            }
        } catch (IOException e) {
            throw new LlmoptException(outDir + ": cannot copy tokenizer files: " + e.getMessage(), e);
        }
        return Optional.of("no Hugging Face tokenizer file for " + m.path() + "; " + outDir
                + " has weights and config.json only (add tokenizer.model or tokenizer.json to load it)");
    }
}
