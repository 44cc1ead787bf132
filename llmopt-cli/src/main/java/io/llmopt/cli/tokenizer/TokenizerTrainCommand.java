package io.llmopt.cli.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.train.BpeTrainer;
import io.llmopt.tokenizer.train.TokenizerJsonWriter;
import io.llmopt.tokenizer.train.TrainedBpe;
import io.llmopt.tokenizer.train.WordCounts;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code llmopt tokenizer train}: a byte-level BPE vocabulary learned from a text file, as tokenizer.json. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a byte-level BPE tokenizer on a UTF-8 text file and write a Hugging Face tokenizer.json "
                + "(plus tokenizer_config.json beside it).",
            "Special token <|endoftext|> (id 0) is BOS and EOS and separates documents in the text."})
public final class TokenizerTrainCommand implements Callable<Integer> {
    @Option(names = {"-f", "--file"}, required = true, paramLabel = "TEXT", description = "UTF-8 training text")
    Path text;

    @Option(names = "--vocab-size", required = true, paramLabel = "N",
            description = "vocabulary size including the special token and the 256 byte tokens")
    int vocabSize;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "output tokenizer.json")
    Path out;

    @Option(names = "--min-frequency", paramLabel = "F", description = "minimum pair count to merge (default: ${DEFAULT-VALUE})")
    int minFrequency = 2;

    @Option(names = "--special", paramLabel = "TOKEN", split = ",",
            description = "special tokens, the first is BOS/EOS (default: ${DEFAULT-VALUE})")
    List<String> specials = List.of("<|endoftext|>");

    @Option(names = "--json", description = "print a JSON summary")
    boolean json;

    @Option(names = "--verbose", description = "print stack traces for errors")
    boolean verbose;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (Files.isDirectory(out)) {
            throw new LlmoptException(out + ": is a directory; give the tokenizer.json file to write");
        }
        long start = System.nanoTime();
        WordCounts words = WordCounts.ofFile(text, specials);
        TrainedBpe bpe = BpeTrainer.train(words, new BpeTrainer.Settings(vocabSize, minFrequency, specials));
        List<Path> written = TokenizerJsonWriter.write(bpe, out);
        double seconds = (System.nanoTime() - start) / 1e9;
        long tokens = 0;
        int[][] seg = bpe.segmentations();
        for (int w = 0; w < seg.length; w++) {
            tokens += seg[w].length * words.count(w);
        }
        PrintWriter o = spec.commandLine().getOut();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("output", written.get(0).toString());
        m.put("config", written.get(1).toString());
        m.put("vocab_size", bpe.vocabSize());
        m.put("merges", bpe.merges().size());
        m.put("distinct_words", words.size());
        m.put("words", words.totalWords());
        m.put("tokens", tokens);
        m.put("tokens_per_word", Math.round(1000.0 * tokens / words.totalWords()) / 1000.0);
        m.put("seconds", Math.round(seconds * 100) / 100.0);
        if (json) {
            try {
                o.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(m));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        } else {
            o.printf("wrote %s (%d tokens, %d merges%s) and %s in %.1f s%n", written.get(0), bpe.vocabSize(),
                    bpe.merges().size(), bpe.vocabSize() < vocabSize ? ", fewer than asked: no pair left with count >= "
                            + minFrequency : "", written.get(1), seconds);
            o.printf("training text: %,d words (%,d distinct) -> %,d tokens, %.3f tokens/word%n", words.totalWords(),
                    words.size(), tokens, (double) tokens / words.totalWords());
        }
        o.flush();
        return 0;
    }
}
