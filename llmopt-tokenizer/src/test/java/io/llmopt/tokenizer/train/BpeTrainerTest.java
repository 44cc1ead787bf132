package io.llmopt.tokenizer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmopt.tokenizer.GgufTokenizerExport;
import io.llmopt.tokenizer.Tokenizer;
import io.llmopt.tokenizer.Tokenizers;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merges on hand-computed corpora, and the trained vocabulary loaded back by llmopt's tokenizer loader. */
class BpeTrainerTest {
    private static final List<String> SPECIALS = List.of("<|endoftext|>");

    @TempDir
    Path dir;

    private static List<String> merges(String text, int vocabSize, int minFrequency) {
        TrainedBpe bpe = BpeTrainer.train(WordCounts.of("test", text, SPECIALS),
                new BpeTrainer.Settings(vocabSize, minFrequency, SPECIALS));
        List<String> out = new ArrayList<>();
        for (String[] m : bpe.merges()) {
            out.add(m[0] + " " + m[1]);
        }
        return out;
    }

    @Test
    void tinyCorpusMergesAsComputedByHand() {
        // words: "ab" ×1, " ab" ×2, " abc" ×1 (a space is Ġ in the byte alphabet).
        // pairs: (a,b) 4, (Ġ,a) 3, (b,c) 1 → merge "a b"; then (Ġ,ab) 3, (ab,c) 1 → merge "Ġ ab"; then (Ġab,c) 1.
        assertEquals(List.of("a b", "Ġ ab"), merges("ab ab ab abc", 1000, 2));
        assertEquals(List.of("a b", "Ġ ab", "Ġab c"), merges("ab ab ab abc", 1000, 1));
        // the target size stops it: 1 special + 256 bytes + 2 merges
        assertEquals(List.of("a b", "Ġ ab"), merges("ab ab ab abc", 259, 1));
    }

    @Test
    void tiesGoToTheOlderSmallerIds() {
        // "xy" and " zw": three pairs of count 1. Ġ (byte 0x20) has the smallest id, then x < z; the new token Ġz is
        // newer than x, so (x,y) comes before (Ġz,w).
        assertEquals(List.of("Ġ z", "x y", "Ġz w"), merges("xy zw", 1000, 1));
    }

    @Test
    void repeatedSymbolsMergeLeftToRightWithoutOverlap() {
        // "aaa": (a,a) occurs twice → [aa, a]; then (aa,a) once.
        assertEquals(List.of("a a", "aa a"), merges("aaa", 1000, 1));
        // "aaaa": (a,a) ×3 → [aa, aa]; then (aa,aa).
        assertEquals(List.of("a a", "aa aa"), merges("aaaa", 1000, 1));
    }

    @Test
    void specialTokensAreCutOutOfTheText() {
        // Without the cut, "c<" / "|e" pairs would appear; the words are "ab", "c" and "ab".
        assertEquals(List.of("a b"), merges("ab<|endoftext|>c<|endoftext|>ab", 1000, 2));
    }

    private Path train(String text, int vocabSize) throws IOException {
        Path corpus = dir.resolve("corpus.txt");
        Files.writeString(corpus, text);
        TrainedBpe bpe = BpeTrainer.train(WordCounts.ofFile(corpus, SPECIALS), new BpeTrainer.Settings(vocabSize, 2, SPECIALS));
        Path out = dir.resolve("tok").resolve("tokenizer.json");
        TokenizerJsonWriter.write(bpe, out);
        return out;
    }

    static String head(Path file, int chars) throws IOException {
        String s = Files.readString(file);
        return s.substring(0, Math.min(chars, s.length()));
    }

    @Test
    void loaderEncodesAsTheTrainerSegmented() throws IOException {
        String text = head(SharedData.require("data/tinystories-train.txt"), 400_000);
        WordCounts words = WordCounts.of("corpus", text, SPECIALS);
        TrainedBpe bpe = BpeTrainer.train(words, new BpeTrainer.Settings(1024, 2, SPECIALS));
        assertEquals(1024, bpe.vocabSize());
        Path out = dir.resolve("tokenizer.json");
        TokenizerJsonWriter.write(bpe, out);
        Tokenizer t = Tokenizers.load(out);
        Map<String, int[]> segmentation = new HashMap<>();
        for (int w = 0; w < words.size(); w++) {
            segmentation.put(new String(words.word(w), StandardCharsets.UTF_8), bpe.segmentations()[w]);
        }
        // every distinct word, alone
        for (Map.Entry<String, int[]> e : segmentation.entrySet()) {
            assertArrayEquals(e.getValue(), t.encode(e.getKey(), false, false), e.getKey());
        }
        // and a whole text: the trainer's words in order, each with its segmentation
        String sample = text.substring(0, 20_000);
        List<Integer> expected = new ArrayList<>();
        Pattern split = Pattern.compile(WordCounts.SPLIT_REGEX, Pattern.UNICODE_CHARACTER_CLASS);
        String[] documents = sample.split(Pattern.quote("<|endoftext|>"), -1);
        assertTrue(documents.length > 3);
        for (int d = 0; d < documents.length; d++) {
            if (d > 0) {
                expected.add(0);
            }
            Matcher m = split.matcher(documents[d]);
            while (m.find()) {
                Arrays.stream(segmentation.get(m.group())).forEach(expected::add);
            }
        }
        assertArrayEquals(expected.stream().mapToInt(Integer::intValue).toArray(), t.encode(sample, false, true));
        // BOS/EOS come from tokenizer_config.json; the post-processor adds BOS
        assertEquals(0, t.bos().orElse(-1));
        assertEquals(0, t.eos().orElse(-1));
        assertEquals(0, t.encode("Once", true, false)[0]);
    }

    @Test
    void sharedTextsRoundTrip() throws IOException {
        Path tokenizer = train(head(SharedData.require("data/tinystories-train.txt"), 300_000), 768);
        Tokenizer t = Tokenizers.load(tokenizer);
        for (String name : List.of("tinystories-validation-head.txt", "tinystories-v2-gpt4-valid-first100.txt",
                "wikitext-2-raw-v1-test.txt")) {
            String text = head(SharedData.require("data/" + name), 150_000);
            int[] ids = t.encode(text, false, false);
            assertEquals(text, t.decode(ids, true), name);
            assertTrue(ids.length < text.length(), name + ": BPE should compress (" + ids.length + " tokens)");
        }
    }

    @Test
    void unseenCharactersFallBackToTheirBytes() throws IOException {
        Tokenizer t = Tokenizers.load(train("the cat sat on the mat. the dog sat on the log.\n".repeat(20), 300));
        String unseen = "日本 😀 Ω";
        int[] ids = t.encode(unseen, false, false);
        assertEquals(unseen, t.decode(ids, true));
        // nothing of this was in the corpus except the spaces: every id is one of the 256 byte tokens (ids 1..256)
        int bytes = 0;
        for (int id : ids) {
            assertTrue(id >= 1 && id <= 256, "id " + id + " is not a byte token");
            bytes += t.piece(id).equals("Ġ") ? 0 : 1;
        }
        assertEquals(unseen.getBytes(StandardCharsets.UTF_8).length - 2, bytes);
    }

    @Test
    void ggufMetadataTokenizesAsTheTokenizerJson() throws IOException {
        String text = head(SharedData.require("data/tinystories-train.txt"), 200_000);
        Tokenizer json = Tokenizers.load(train(text, 600));
        Tokenizer gguf = Tokenizers.fromGguf(GgufTokenizerExport.toGguf(json));
        assertEquals("qwen2", GgufTokenizerExport.toGguf(json).getString("tokenizer.ggml.pre"));
        String sample = Files.readString(SharedData.require("data/tinystories-v2-gpt4-valid-first100.txt"));
        assertArrayEquals(json.encode(sample, true, false), gguf.encode(sample, true, false));
        assertEquals(json.bos(), gguf.bos());
        assertEquals(json.eos(), gguf.eos());
    }

    @Test
    void trainingIsDeterministic() throws IOException {
        String text = "Tom and Sue went to the park. They played ball. " .repeat(30) + "A bird sang a song.\n";
        byte[] first = Files.readAllBytes(train(text, 320));
        byte[] second = Files.readAllBytes(train(text, 320));
        assertArrayEquals(first, second);
    }
}
