package io.llmopt.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** reference/&lt;model&gt;/logits.f32 + logits.json: float64 numpy logits (rounded to f32) for every position. */
record ReferenceLogits(int[] tokens, float[][] logits) {

    static ReferenceLogits read(Path dir) throws IOException {
        JsonNode meta = new ObjectMapper().readTree(dir.resolve("logits.json").toFile());
        int[] tokens = new int[meta.get("tokens").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = meta.get("tokens").get(i).asInt();
        }
        int rows = meta.get("shape").get(0).asInt();
        int cols = meta.get("shape").get(1).asInt();
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(dir.resolve("logits.f32"))).order(ByteOrder.LITTLE_ENDIAN);
        float[][] logits = new float[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                logits[r][c] = buf.getFloat();
            }
        }
        return new ReferenceLogits(tokens, logits);
    }
}
