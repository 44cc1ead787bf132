package io.llmopt.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * The fields of HF's {@code tokenizer_config.json} that change tokenization or decoding. Booleans are null when the
 * file does not set them.
 *
 * @param chatTemplate the {@code chat_template} string; for the list form, the entry named "default" (else the first)
 */
record TokenizerConfig(Boolean addBosToken, Boolean addEosToken, String bosToken, String eosToken, String unkToken,
        String padToken, Boolean cleanUpTokenizationSpaces, String chatTemplate) {

    static final TokenizerConfig EMPTY = new TokenizerConfig(null, null, null, null, null, null, null, null);

    static TokenizerConfig read(Path file) {
        JsonNode root = Json.read(file, "tokenizer_config.json");
        return new TokenizerConfig(bool(root, "add_bos_token"), bool(root, "add_eos_token"),
                Json.tokenText(root.get("bos_token")), Json.tokenText(root.get("eos_token")),
                Json.tokenText(root.get("unk_token")), Json.tokenText(root.get("pad_token")),
                bool(root, "clean_up_tokenization_spaces"),
                chatTemplate(root.get("chat_template")));
    }

    private static Boolean bool(JsonNode root, String key) {
        JsonNode n = root.get(key);
        return n != null && n.isBoolean() ? n.asBoolean() : null;
    }

    private static String chatTemplate(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            String first = null;
            for (JsonNode entry : node) {
                String template = entry.path("template").asText(null);
                if ("default".equals(entry.path("name").asText())) {
                    return template;
                }
                if (first == null) {
                    first = template;
                }
            }
            return first;
        }
        return null;
    }
}
