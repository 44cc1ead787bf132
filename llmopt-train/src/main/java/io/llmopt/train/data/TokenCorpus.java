package io.llmopt.train.data;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A text file as one stream of token ids: the text is split at {@value #SEPARATOR} into documents, each is
 * stripped, empty ones dropped, and each becomes BOS + encode(document) (no EOS), as the ref-tinystories
 * trainer did. Documents are encoded in parallel and concatenated in file order.
 *
 * @param tokens    the concatenated ids
 * @param documents number of non-empty documents
 */
public record TokenCorpus(String source, int[] tokens, int documents) {
    public static final String SEPARATOR = "<|endoftext|>";

    public static TokenCorpus read(Path file, Tokenizer tokenizer, int vocabSize, WorkerPool pool) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read: " + e.getMessage(), e);
        }
        return of(file.toString(), text, tokenizer, vocabSize, pool);
    }

    public static TokenCorpus of(String source, String text, Tokenizer tokenizer, int vocabSize, WorkerPool pool) {
        List<String> docs = new ArrayList<>();
        for (String piece : text.split(java.util.regex.Pattern.quote(SEPARATOR), -1)) {
            String s = piece.strip();
            if (!s.isEmpty()) {
                docs.add(s);
            }
        }
        if (docs.isEmpty()) {
            throw new LlmoptException(source + ": no text to train on (the file is empty or holds only separators)");
        }
        int bos = tokenizer.bos().orElse(-1);
        int[][] encoded = new int[docs.size()][];
        pool.run(docs.size(), 16, (worker, from, to) -> {
            for (int i = from; i < to; i++) {
                encoded[i] = tokenizer.encode(docs.get(i), false, false);
            }
        });
        long total = 0;
        for (int[] e : encoded) {
            total += e.length + (bos >= 0 ? 1 : 0);
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new LlmoptException(source + ": more than 2^31 tokens; split the file");
        }
        int[] tokens = new int[(int) total];
        int at = 0;
        for (int[] e : encoded) {
            if (bos >= 0) {
                tokens[at++] = bos;
            }
            System.arraycopy(e, 0, tokens, at, e.length);
            at += e.length;
        }
        for (int t : tokens) {
            if (t < 0 || t >= vocabSize) {
                throw new LlmoptException(source + ": the tokenizer produced id " + t + ", outside the model's vocabulary of "
                        + vocabSize + " (tokenizer and model do not belong together)");
            }
        }
        return new TokenCorpus(source, tokens, docs.size());
    }

    /** Fails unless at least one window of {@code seqLen} inputs plus its shifted targets fits. */
    public void requireWindow(int seqLen) {
        if (tokens.length < seqLen + 1) {
            throw new LlmoptException(source + ": " + tokens.length + " tokens, fewer than one window of --seq-len "
                    + seqLen + " + 1; use a shorter --seq-len or more text");
        }
    }
}
