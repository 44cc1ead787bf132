package io.llmopt.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.engine.GeneratedToken;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * How /v1/completions ("text_completion") and /v1/chat/completions ("chat.completion") spell the same
 * generation: choice objects, stream chunks and logprobs.
 */
sealed interface ApiShape permits ApiShape.Completions, ApiShape.Chat {

    String object();

    String chunkObject();

    String idPrefix();

    /** A choice of the complete (non-streamed) response. */
    ObjectNode choice(ChoiceOutput c, boolean logprobs, TokenText names);

    /**
     * A choice of one stream chunk: {@code text} new text (may be empty), {@code tokens} their logprobs (null
     * when not requested), {@code finishReason} null until the last chunk of the choice.
     */
    ObjectNode chunkChoice(int index, String text, List<GeneratedToken> tokens, String finishReason, int textOffset,
            TokenText names);

    /** The chunk that opens a choice's stream, or null when the API has none. */
    ObjectNode openingChunkChoice(int index);

    record Completions() implements ApiShape {
        @Override
        public String object() {
            return "text_completion";
        }

        @Override
        public String chunkObject() {
            return "text_completion";
        }

        @Override
        public String idPrefix() {
            return "cmpl-";
        }

        @Override
        public ObjectNode choice(ChoiceOutput c, boolean logprobs, TokenText names) {
            ObjectNode o = Fields.MAPPER.createObjectNode();
            o.put("index", c.index);
            o.put("text", c.text.toString());
            o.set("logprobs", logprobs ? legacyLogprobs(c.tokens, 0, names) : null);
            o.put("finish_reason", c.finishReason);
            return o;
        }

        @Override
        public ObjectNode chunkChoice(int index, String text, List<GeneratedToken> tokens, String finishReason,
                int textOffset, TokenText names) {
            ObjectNode o = Fields.MAPPER.createObjectNode();
            o.put("index", index);
            o.put("text", text);
            o.set("logprobs", tokens == null ? null : legacyLogprobs(tokens, textOffset, names));
            o.put("finish_reason", finishReason);
            return o;
        }

        @Override
        public ObjectNode openingChunkChoice(int index) {
            return null;
        }

        /** The legacy shape: parallel arrays tokens / token_logprobs / top_logprobs / text_offset. */
        static ObjectNode legacyLogprobs(List<GeneratedToken> tokens, int textOffset, TokenText names) {
            ObjectNode lp = Fields.MAPPER.createObjectNode();
            ArrayNode toks = lp.putArray("tokens");
            ArrayNode logprobs = lp.putArray("token_logprobs");
            ArrayNode tops = lp.putArray("top_logprobs");
            ArrayNode offsets = lp.putArray("text_offset");
            int offset = textOffset;
            for (GeneratedToken t : tokens) {
                String name = names.of(t.id());
                toks.add(name);
                logprobs.add(t.logprob());
                ObjectNode top = tops.addObject();
                for (GeneratedToken.TokenLogprob alt : t.topLogprobs()) {
                    top.put(names.of(alt.id()), alt.logprob());
                }
                offsets.add(offset);
                offset += t.text().length();
            }
            return lp;
        }
    }

    record Chat() implements ApiShape {
        @Override
        public String object() {
            return "chat.completion";
        }

        @Override
        public String chunkObject() {
            return "chat.completion.chunk";
        }

        @Override
        public String idPrefix() {
            return "chatcmpl-";
        }

        @Override
        public ObjectNode choice(ChoiceOutput c, boolean logprobs, TokenText names) {
            ObjectNode o = Fields.MAPPER.createObjectNode();
            o.put("index", c.index);
            ObjectNode message = o.putObject("message");
            message.put("role", "assistant");
            message.put("content", c.text.toString());
            message.putNull("refusal");
            o.set("logprobs", logprobs ? chatLogprobs(c.tokens, names) : null);
            o.put("finish_reason", c.finishReason);
            return o;
        }

        @Override
        public ObjectNode chunkChoice(int index, String text, List<GeneratedToken> tokens, String finishReason,
                int textOffset, TokenText names) {
            ObjectNode o = Fields.MAPPER.createObjectNode();
            o.put("index", index);
            ObjectNode delta = o.putObject("delta");
            if (!text.isEmpty() || finishReason == null) {
                delta.put("content", text);
            }
            o.set("logprobs", tokens == null ? null : chatLogprobs(tokens, names));
            o.put("finish_reason", finishReason);
            return o;
        }

        @Override
        public ObjectNode openingChunkChoice(int index) {
            ObjectNode o = Fields.MAPPER.createObjectNode();
            o.put("index", index);
            ObjectNode delta = o.putObject("delta");
            delta.put("role", "assistant");
            delta.put("content", "");
            o.putNull("logprobs");
            o.putNull("finish_reason");
            return o;
        }

        /** {"content": [{"token", "logprob", "bytes", "top_logprobs": [{"token", "logprob", "bytes"}]}]}. */
        static ObjectNode chatLogprobs(List<GeneratedToken> tokens, TokenText names) {
            ObjectNode lp = Fields.MAPPER.createObjectNode();
            ArrayNode content = lp.putArray("content");
            for (GeneratedToken t : tokens) {
                ObjectNode e = entry(names.of(t.id()), t.logprob());
                ArrayNode top = e.putArray("top_logprobs");
                for (GeneratedToken.TokenLogprob alt : t.topLogprobs()) {
                    top.add(entry(names.of(alt.id()), alt.logprob()));
                }
                content.add(e);
            }
            lp.putNull("refusal");
            return lp;
        }

        private static ObjectNode entry(String token, float logprob) {
            ObjectNode e = Fields.MAPPER.createObjectNode();
            e.put("token", token);
            e.put("logprob", logprob);
            ArrayNode bytes = e.putArray("bytes");
            for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
                bytes.add(b & 0xFF);
            }
            return e;
        }
    }
}
