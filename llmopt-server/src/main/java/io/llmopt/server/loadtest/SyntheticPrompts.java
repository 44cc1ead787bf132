package io.llmopt.server.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.SplittableRandom;

/**
 * Prompts of a given token length made of random common words. Where the server tokenizes (POST /tokenize
 * answering {"tokens": [...]}, as llmopt and llama.cpp do), the prompt is sent as exactly {@code length} token
 * ids; otherwise as text of {@code length} words (≈ tokens).
 */
final class SyntheticPrompts {
    private static final String[] WORDS = ("the a little girl boy dog cat went to park saw big red ball happy sad "
            + "mom dad said play tree sun day friend find run jump blue house bird fly sky water fish swim cake eat "
            + "good time once upon lived small town car road green box toy share help smile laugh night moon star")
            .split(" ");

    private final ObjectMapper json;
    private final HttpClient client;
    private final LoadTestConfig config;

    SyntheticPrompts(ObjectMapper json, HttpClient client, LoadTestConfig config) {
        this.json = json;
        this.client = client;
        this.config = config;
    }

    /** Random text of about {@code words} words. */
    static String text(SplittableRandom random, int words) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < words; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    /** The prompt field for /v1/completions: token ids when the server can count them, else text. */
    JsonNode completionPrompt(SplittableRandom random) throws InterruptedException {
        String text = text(random, config.promptLength() * 2);
        JsonNode tokens = tokenize(text);
        if (tokens == null || tokens.size() < config.promptLength()) {
            return json.getNodeFactory().textNode(text(random, config.promptLength()));
        }
        ArrayNode ids = json.createArrayNode();
        for (int i = 0; i < config.promptLength(); i++) {
            ids.add(tokens.get(i).asInt());
        }
        return ids;
    }

    private JsonNode tokenize(String text) throws InterruptedException {
        ObjectNode body = json.createObjectNode();
        body.put("model", config.model());
        body.put("prompt", text); // llmopt
        body.put("content", text); // llama.cpp
        body.put("add_special_tokens", false);
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(config.url().resolve("/tokenize"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            if (config.apiKey() != null) {
                b.header("Authorization", "Bearer " + config.apiKey());
            }
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                return null;
            }
            JsonNode tokens = json.readTree(r.body()).get("tokens");
            return tokens != null && tokens.isArray() ? tokens : null;
        } catch (IOException e) {
            return null;
        }
    }
}
