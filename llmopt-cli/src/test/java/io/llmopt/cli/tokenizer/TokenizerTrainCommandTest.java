package io.llmopt.cli.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.tokenizer.Tokenizer;
import io.llmopt.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TokenizerTrainCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = io.llmopt.cli.Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void trainsAndWritesALoadableTokenizer() throws Exception {
        Path text = dir.resolve("stories.txt");
        Files.writeString(text, "Once upon a time there was a cat.<|endoftext|>The cat sat on a mat. The end.\n".repeat(50));
        Path out = dir.resolve("out").resolve("tokenizer.json");
        Run r = run("tokenizer", "train", "-f", text.toString(), "--vocab-size", "280", "-o", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode summary = new ObjectMapper().readTree(r.out());
        assertEquals(280, summary.get("vocab_size").asInt());
        assertTrue(summary.get("merges").asInt() >= 23);
        Tokenizer t = Tokenizers.load(out);
        assertEquals(280, t.vocabSize());
        String s = "Once upon a time the cat sat.";
        assertEquals(s, t.decode(t.encode(s, false, false), true));
        assertTrue(t.encode(s, false, false).length < 20, java.util.Arrays.toString(t.encode(s, false, false)));
        // a corpus too small for the size asked: training stops when no pair occurs twice, and says so
        r = run("tokenizer", "train", "-f", text.toString(), "--vocab-size", "4000", "-o", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("fewer than asked: no pair left with count >= 2"), r.out());
    }

    @Test
    void badInputIsAOneLineError() throws Exception {
        Path empty = dir.resolve("empty.txt");
        Files.writeString(empty, "");
        Run r = run("tokenizer", "train", "-f", empty.toString(), "--vocab-size", "300", "-o", dir.resolve("t.json").toString());
        assertEquals(1, r.code());
        assertEquals("error: " + empty + ": no text to train a tokenizer on (the file is empty or holds only special tokens)",
                r.err().strip());
        Path text = dir.resolve("t.txt");
        Files.writeString(text, "hello world");
        r = run("tokenizer", "train", "-f", text.toString(), "--vocab-size", "100", "-o", dir.resolve("t.json").toString());
        assertEquals(1, r.code());
        assertEquals("error: --vocab-size 100 is smaller than the base alphabet: 1 special token(s) + 256 bytes = 257",
                r.err().strip());
        assertTrue(!Files.exists(dir.resolve("t.json")));
    }
}
