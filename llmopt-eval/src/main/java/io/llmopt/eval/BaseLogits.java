package io.llmopt.eval;

import io.llmopt.tensor.LlmoptException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Glue between a perplexity run and a base-logits file: the header a base run writes, the options a
 * variant run must use to score the same positions, and the checks that refuse an incompatible pairing.
 */
public final class BaseLogits {
    /** Log-probs kept per position unless asked otherwise (see {@link LogitsFileHeader} for the trade-off). */
    public static final int DEFAULT_TOP_K = 64;

    private BaseLogits() {
    }

    /** The header of the file a base run of {@code windows} over {@code tokens} writes. */
    public static LogitsFileHeader header(PerplexityOptions options, List<ScoringWindow> windows, int[] tokens, int bos,
            int vocabSize, int topK, String modelName) {
        int end = 0;
        long positions = 0;
        for (ScoringWindow w : windows) {
            end = Math.max(end, w.end());
            positions += w.scoredCount();
        }
        // llama-perplexity refuses texts under 2·ctx tokens even when fewer chunks are scored: keep that many.
        end = Math.max(end, Math.min(tokens.length, 2 * options.contextLength()));
        return new LogitsFileHeader(vocabSize, options.contextLength(), options.stride(), windows.size(),
                Math.min(topK, vocabSize), positions, Arrays.copyOf(tokens, end), bos, modelName);
    }

    /**
     * Options that score the same positions as the base run (its context, stride and windows); maxChunks > 0
     * compares only the first chunks.
     */
    public static PerplexityOptions options(LogitsFileHeader h, int batchSize, int maxChunks) {
        int chunks = maxChunks > 0 ? Math.min(maxChunks, h.windows()) : h.windows();
        return new PerplexityOptions(h.contextLength(), batchSize, chunks, h.stride());
    }

    /** Refuses a file whose log-probs range over another vocabulary than the model's. */
    public static void checkModel(Path file, LogitsFileHeader h, int modelVocabSize) {
        if (h.vocabSize() != modelVocabSize) {
            throw new LlmoptException(file + ": holds log-probs over a vocabulary of " + h.vocabSize() + " tokens but the model has "
                    + modelVocabSize + ": the logits file was saved from a model with a different vocabulary");
        }
    }

    /** Refuses a context length that differs from the base run's (when the user gave one). */
    public static void checkContext(Path file, LogitsFileHeader h, int contextLength) {
        if (contextLength != h.contextLength()) {
            throw new LlmoptException(file + ": base logits were saved with -c " + h.contextLength() + ", this run asks for -c "
                    + contextLength + " (omit -c to use the file's)");
        }
    }

    /** Refuses a text whose tokens do not start with the ones the base run scored. */
    public static void checkText(Path file, LogitsFileHeader h, int[] textTokens, String textName) {
        int[] stored = h.tokens();
        boolean same = textTokens.length >= stored.length && Arrays.equals(stored, Arrays.copyOf(textTokens, stored.length));
        if (!same) {
            throw new LlmoptException(file + ": base logits were saved from a different text (token sha256 " + h.tokenHash().substring(0, 16)
                    + "…, " + stored.length + " tokens) than " + textName + " (" + textTokens.length
                    + " tokens): use the same text, or omit -f to score the tokens stored in the file");
        }
    }
}
