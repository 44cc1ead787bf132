package io.llmopt.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.engine.EngineStats;
import java.util.Map;

/** GET /v1/models, GET /health, POST /tokenize, POST /detokenize. */
final class ModelEndpoints {
    private final Map<String, ServedModel> models;
    private final long created = System.currentTimeMillis() / 1000;

    ModelEndpoints(Map<String, ServedModel> models) {
        this.models = models;
    }

    ObjectNode list() {
        ObjectNode body = Fields.MAPPER.createObjectNode();
        body.put("object", "list");
        ArrayNode data = body.putArray("data");
        for (ServedModel m : models.values()) {
            ObjectNode o = data.addObject();
            o.put("id", m.name());
            o.put("object", "model");
            o.put("created", created);
            o.put("owned_by", "llmopt");
            o.put("max_model_len", m.contextLength());
        }
        return body;
    }

    ObjectNode health(boolean draining) {
        ObjectNode body = Fields.MAPPER.createObjectNode();
        body.put("status", draining ? "draining" : "ok");
        ObjectNode per = body.putObject("models");
        for (ServedModel m : models.values()) {
            EngineStats s = m.engine().stats();
            ObjectNode o = per.putObject(m.name());
            o.put("context_length", m.contextLength());
            o.put("waiting", s.waiting());
            o.put("running", s.running());
            o.put("kv_blocks_total", s.kvBlocksTotal());
            o.put("kv_blocks_used", s.kvBlocksUsed());
            o.put("kv_blocks_cached", s.kvBlocksCached());
            o.put("prefix_cache_hit_rate", s.prefixHitRate());
            o.put("preemptions", s.preemptions());
            o.put("steps", s.steps());
            o.put("prompt_tokens", s.promptTokens());
            o.put("generated_tokens", s.generatedTokens());
        }
        return body;
    }

    ObjectNode tokenize(Fields f, ServedModel m) {
        int[] ids;
        if (f.has("messages")) {
            ids = Prompts.chatPrompt(f.node("messages"), m, f.bool("add_generation_prompt", true));
        } else {
            String prompt = f.string("prompt").orElseThrow(() -> ApiException.badRequest("prompt", "'prompt' (a string) or 'messages' is required"));
            ids = m.tokenizer().encode(prompt, f.bool("add_special_tokens", true), true);
        }
        ObjectNode body = Fields.MAPPER.createObjectNode();
        ArrayNode tokens = body.putArray("tokens");
        for (int id : ids) {
            tokens.add(id);
        }
        body.put("count", ids.length);
        body.put("max_model_len", m.contextLength());
        return body;
    }

    ObjectNode detokenize(Fields f, ServedModel m) {
        JsonNode tokens = f.node("tokens");
        if (tokens == null) {
            throw ApiException.badRequest("tokens", "'tokens' is required");
        }
        int[] ids = Prompts.tokenIds(tokens, "tokens", m.tokenizer().vocabSize());
        ObjectNode body = Fields.MAPPER.createObjectNode();
        body.put("prompt", m.tokenizer().decode(ids, false));
        return body;
    }
}
