package io.llmopt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test helpers reading the shared conformance files (llama.cpp .inp/.out pairs, HF expected.jsonl). */
final class Conformance {
    static final ObjectMapper JSON = new ObjectMapper();

    private Conformance() {
    }

    record Case(String text, int[] ids) {
    }

    /** A llama.cpp {@code ggml-vocab-*.gguf.inp}/{@code .out} pair: strings split by the test separator. */
    static List<Case> inpOut(String vocab) throws IOException {
        Path inp = SharedData.require("tokenizers/llama.cpp-vocab/ggml-vocab-" + vocab + ".gguf.inp");
        Path out = SharedData.require("tokenizers/llama.cpp-vocab/ggml-vocab-" + vocab + ".gguf.out");
        String[] texts = Files.readString(inp).split("\n__ggml_vocab_test__\n", -1);
        List<String> lines = Files.readAllLines(out);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            int[] ids = line.isEmpty() ? new int[0] : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
            cases.add(new Case(texts[i], ids));
        }
        return cases;
    }

    static List<JsonNode> jsonl(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static String show(String s) {
        try {
            return JSON.writeValueAsString(s.length() > 60 ? s.substring(0, 60) + "…" : s);
        } catch (IOException e) {
            return s;
        }
    }

    /** Counts matches and keeps the first few differences for the failure message. */
    static final class Tally {
        final String name;
        int total;
        int passed;
        final List<String> failures = new ArrayList<>();

        Tally(String name) {
            this.name = name;
        }

        void check(String text, int[] expected, int[] actual) {
            total++;
            if (Arrays.equals(expected, actual)) {
                passed++;
            } else if (failures.size() < 8) {
                failures.add(show(text) + "\n    expected " + Arrays.toString(expected) + "\n    actual   "
                        + Arrays.toString(actual));
            }
        }

        void check(String text, String expected, String actual) {
            total++;
            if (expected.equals(actual)) {
                passed++;
            } else if (failures.size() < 8) {
                failures.add(show(text) + "\n    expected " + show(expected) + "\n    actual   " + show(actual));
            }
        }

        String report() {
            System.out.println("conformance " + name + ": " + passed + "/" + total);
            return name + ": " + passed + "/" + total + (failures.isEmpty() ? "" : "\n  " + String.join("\n  ", failures));
        }

        boolean allPassed() {
            return passed == total;
        }
    }

    /** Where two renders part: the offset and about 100 characters of each around it, newlines escaped. */
    static String firstDifference(String expected, String actual) {
        int i = 0;
        while (i < expected.length() && i < actual.length() && expected.charAt(i) == actual.charAt(i)) {
            i++;
        }
        int from = Math.max(0, i - 60);
        return "at " + i + "\n  expected: " + expected.substring(from, Math.min(expected.length(), i + 100)).replace("\n", "\\n")
                + "\n  actual:   " + actual.substring(Math.min(from, actual.length()), Math.min(actual.length(), i + 100))
                .replace("\n", "\\n");
    }
}
