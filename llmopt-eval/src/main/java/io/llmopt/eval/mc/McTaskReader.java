package io.llmopt.eval.mc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.tensor.LlmoptException;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a JSONL task file: one JSON object per line (blank lines ignored), each in a {@link McFormat}
 * layout. Any bad line fails the whole read with a one-line error naming the file and the line number.
 */
public final class McTaskReader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private McTaskReader() {
    }

    /**
     * @param format the layout of every line, or null to detect it per line from the field names
     * @param limit  read at most this many items (0 = all)
     */
    public static List<McItem> read(Path file, McFormat format, int limit) {
        List<McItem> items = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            while ((line = in.readLine()) != null && (limit == 0 || items.size() < limit)) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                items.add(parse(file, lineNumber, line, format));
            }
        } catch (IOException e) {
            throw new LlmoptException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (items.isEmpty()) {
            throw new LlmoptException(file + ": no task items (expected one JSON object per line)");
        }
        return items;
    }

    static McItem parse(Path file, int lineNumber, String line, McFormat format) {
        String where = file + ":" + lineNumber;
        JsonNode row;
        try {
            row = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new LlmoptException(where + ": not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (row == null || !row.isObject()) {
            throw new LlmoptException(where + ": expected a JSON object per line");
        }
        try {
            McFormat f = format != null ? format : McFormat.detect(row);
            return f.item(row, "line-" + lineNumber);
        } catch (IllegalArgumentException e) {
            throw new LlmoptException(where + ": " + e.getMessage());
        }
    }
}
