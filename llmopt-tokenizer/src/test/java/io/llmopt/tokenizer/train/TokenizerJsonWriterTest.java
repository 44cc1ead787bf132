package io.llmopt.tokenizer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.Tokenizer;
import io.llmopt.tokenizer.Tokenizers;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The written tokenizer.json against the Hugging Face {@code tokenizers} library (Rust, via its node binding 0.23.2:
 * {@code src/test/resources/bpe-trainer/hfcheck.js} produced {@code hf-expected.jsonl} from the fixture), atomic
 * writes, and bad input.
 */
class TokenizerJsonWriterTest {
    private static final List<String> SPECIALS = List.of("<|endoftext|>");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = TokenizerJsonWriterTest.class.getResourceAsStream("/bpe-trainer/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }

    /** The fixture: 512 tokens trained on the first 200,000 chars of tinystories-train.txt, min frequency 2. */
    private Path trainFixture() throws IOException {
        String text = BpeTrainerTest.head(SharedData.require("data/tinystories-train.txt"), 200_000);
        Path out = dir.resolve("fixture").resolve("tokenizer.json");
        TokenizerJsonWriter.write(BpeTrainer.train(WordCounts.of("fixture", text, SPECIALS),
                new BpeTrainer.Settings(512, 2, SPECIALS)), out);
        return out;
    }

    @Test
    void retrainingReproducesTheFixtureByteForByte() throws IOException {
        Path out = trainFixture();
        assertArrayEquals(resource("tokenizer.json"), Files.readAllBytes(out));
        assertArrayEquals(resource("tokenizer_config.json"), Files.readAllBytes(out.resolveSibling("tokenizer_config.json")));
    }

    @Test
    void llmoptEncodesAndDecodesAsTheHuggingFaceLibrary() throws IOException {
        Path fixture = dir.resolve("hf").resolve("tokenizer.json");
        Files.createDirectories(fixture.getParent());
        Files.write(fixture, resource("tokenizer.json"));
        Files.write(fixture.resolveSibling("tokenizer_config.json"), resource("tokenizer_config.json"));
        Tokenizer t = Tokenizers.load(fixture);
        int cases = 0;
        for (String line : new String(resource("hf-expected.jsonl"), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode c = MAPPER.readTree(line);
            String text = c.get("text").asText();
            int[] expected = MAPPER.convertValue(c.get("ids"), int[].class);
            assertArrayEquals(expected, t.encode(text, true, true), text);
            int[] withoutBos = java.util.Arrays.copyOfRange(expected, 1, expected.length);
            assertEquals(c.get("decoded").asText(), t.decode(withoutBos, true), text);
            cases++;
        }
        assertTrue(cases >= 10, "only " + cases + " cases");
    }

    @Test
    void writesAtomicallyAndLeavesNoTemporaryFile() throws IOException {
        Path out = dir.resolve("tokenizer.json");
        Files.writeString(out, "old");
        TrainedBpe bpe = BpeTrainer.train(WordCounts.of("t", "one two three two one", SPECIALS),
                new BpeTrainer.Settings(260, 1, SPECIALS));
        TokenizerJsonWriter.write(bpe, out);
        assertEquals("BPE", MAPPER.readTree(out.toFile()).path("model").path("type").asText());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("tokenizer.json", "tokenizer_config.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // a write that cannot complete (the target is a non-empty directory) fails with a one-line error, leaves the
        // other files as they were and no temporary file behind
        Path blocked = dir.resolve("blocked");
        Files.createDirectories(blocked.resolve("tokenizer.json"));
        Files.writeString(blocked.resolve("tokenizer.json").resolve("keep"), "x");
        LlmoptException e = assertThrows(LlmoptException.class,
                () -> TokenizerJsonWriter.write(bpe, blocked.resolve("tokenizer.json")));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        try (Stream<Path> files = Files.list(blocked)) {
            assertEquals(List.of("tokenizer.json"), files.map(p -> p.getFileName().toString()).toList());
        }
    }

    @Test
    void badInputIsAOneLineError() throws IOException {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        LlmoptException e = assertThrows(LlmoptException.class, () -> WordCounts.ofFile(empty, SPECIALS));
        assertTrue(e.getMessage().startsWith(empty + ": no text"), e.getMessage());
        Path onlySpecials = dir.resolve("specials.txt");
        Files.writeString(onlySpecials, "<|endoftext|><|endoftext|>");
        assertThrows(LlmoptException.class, () -> WordCounts.ofFile(onlySpecials, SPECIALS));
        assertTrue(assertThrows(LlmoptException.class, () -> WordCounts.ofFile(dir.resolve("missing.txt"), SPECIALS))
                .getMessage().endsWith("missing.txt: no such file"));
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9});
        assertTrue(assertThrows(LlmoptException.class, () -> WordCounts.ofFile(latin1, SPECIALS)).getMessage()
                .endsWith("not UTF-8 text"));
        WordCounts words = WordCounts.of("t", "hello world", SPECIALS);
        e = assertThrows(LlmoptException.class, () -> BpeTrainer.train(words, new BpeTrainer.Settings(200, 2, SPECIALS)));
        assertEquals("--vocab-size 200 is smaller than the base alphabet: 1 special token(s) + 256 bytes = 257", e.getMessage());
        assertThrows(LlmoptException.class, () -> BpeTrainer.train(words, new BpeTrainer.Settings(300, 0, SPECIALS)));
    }
}
