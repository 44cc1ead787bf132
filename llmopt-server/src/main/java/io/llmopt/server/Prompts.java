package io.llmopt.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.tokenizer.ChatMessage;
import io.llmopt.tokenizer.ChatTemplate;
import io.llmopt.tokenizer.ChatTemplateException;
import io.llmopt.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Request fields → prompt token ids. Completions: {@code prompt} is a string, an array of token ids, or an array
 * of those (one prompt each); text gets the tokenizer's special tokens (BOS) and special-token text is parsed, as
 * llama.cpp's server does; token arrays are used as given. Chat: {@code messages} rendered with the model's chat
 * template and a generation prompt.
 */
final class Prompts {
    static final int MAX_PROMPTS = 64;

    private Prompts() {
    }

    static List<int[]> completionPrompts(JsonNode prompt, Tokenizer tokenizer) {
        if (prompt == null) {
            throw ApiException.badRequest("prompt", "'prompt' is required");
        }
        List<int[]> out = new ArrayList<>();
        if (prompt.isTextual()) {
            out.add(encode(prompt.textValue(), tokenizer));
        } else if (prompt.isArray() && !prompt.isEmpty() && prompt.get(0).isNumber()) {
            out.add(tokenIds(prompt, "prompt", tokenizer.vocabSize()));
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            if (prompt.size() > MAX_PROMPTS) {
                throw ApiException.badRequest("prompt", "at most " + MAX_PROMPTS + " prompts per request, got " + prompt.size());
            }
            for (JsonNode p : prompt) {
                if (p.isTextual()) {
                    out.add(encode(p.textValue(), tokenizer));
                } else if (p.isArray()) {
                    out.add(tokenIds(p, "prompt", tokenizer.vocabSize()));
                } else {
                    throw ApiException.badRequest("prompt", "each prompt must be a string or an array of token ids, got " + Fields.kind(p));
                }
            }
        } else {
            throw ApiException.badRequest("prompt", "'prompt' must be a string, an array of token ids or an array of "
                    + "those, got " + (prompt.isArray() ? "an empty array" : Fields.kind(prompt)));
        }
        for (int[] p : out) {
            if (p.length == 0) {
                throw ApiException.badRequest("prompt", "the prompt is empty (no tokens)");
            }
        }
        return out;
    }

    static int[] encode(String text, Tokenizer tokenizer) {
        return tokenizer.encode(text, true, true);
    }

    static int[] tokenIds(JsonNode array, String param, int vocabSize) {
        if (!array.isArray()) {
            throw ApiException.badRequest(param, "'" + param + "' must be an array of token ids, got " + Fields.kind(array));
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = array.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.intValue() < 0 || t.intValue() >= vocabSize) {
                throw ApiException.badRequest(param, "token ids must be integers in [0, " + (vocabSize - 1)
                        + "] (the vocabulary), got " + Fields.brief(t) + " at index " + i);
            }
            ids[i] = t.intValue();
        }
        return ids;
    }

    /** The rendered conversation as token ids (BOS added unless the template wrote it). */
    static int[] chatPrompt(JsonNode messages, ServedModel model, boolean addGenerationPrompt) {
        ChatTemplate template = model.chatTemplate().orElseThrow(() -> ApiException.badRequest("messages",
                "the model '" + model.name() + "' has no chat template; use /v1/completions, or start the server with --chat-template FILE"));
        String rendered;
        try {
            rendered = template.render(messages(messages), addGenerationPrompt);
        } catch (ChatTemplateException e) {
            throw ApiException.badRequest("messages", "the chat template could not render these messages: " + e.getMessage());
        }
        boolean hasBos = !template.bosToken().isEmpty() && rendered.startsWith(template.bosToken());
        return model.tokenizer().encode(rendered, !hasBos, true);
    }

    static List<ChatMessage> messages(JsonNode messages) {
        if (messages == null) {
            throw ApiException.badRequest("messages", "'messages' is required");
        }
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiException.badRequest("messages", "'messages' must be a non-empty array of {role, content} objects");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String param = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiException.badRequest(param, param + " must be an object, got " + Fields.kind(m));
            }
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual() || role.textValue().isEmpty()) {
                throw ApiException.badRequest(param + ".role", param + ".role must be a non-empty string");
            }
            out.add(new ChatMessage(role.textValue(), content(m.get("content"), param + ".content")));
        }
        return out;
    }

    /** A string, null (e.g. an assistant turn with tool calls), or an array of {type: "text", text} parts. */
    private static String content(JsonNode c, String param) {
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.textValue();
        }
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                JsonNode type = part.get("type");
                JsonNode text = part.get("text");
                if (type == null || !"text".equals(type.asText()) || text == null || !text.isTextual()) {
                    throw ApiException.badRequest(param, "only text content parts ({\"type\": \"text\", \"text\": …}) are supported");
                }
                sb.append(text.textValue());
            }
            return sb.toString();
        }
        throw ApiException.badRequest(param, param + " must be a string or an array of text parts, got " + Fields.kind(c));
    }
}
