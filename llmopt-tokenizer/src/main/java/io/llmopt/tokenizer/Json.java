package io.llmopt.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the JSON files of an HF tokenizer directory, with one-line errors naming the file. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static JsonNode read(Path file, String what) {
        try {
            return MAPPER.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new LlmoptException(file + ": " + what + " not found");
        } catch (JsonProcessingException e) {
            throw new LlmoptException(file + ": " + what + " is not valid JSON (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** Parses JSON text this module wrote or kept itself (an error here is a bug, not bad input). */
    static JsonNode parse(String text) {
        try {
            return MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("invalid JSON kept in memory: " + e.getMessage(), e);
        }
    }

    /** A token written as a string or as an AddedToken object {@code {"content": …}}; null when absent. */
    static String tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? content.asText() : null;
    }
}
