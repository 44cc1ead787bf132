package io.llmopt.eval.mc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** One generated cloze question, written as a {@code generic} task line (see {@link McFormat}). */
public record ClozeItem(String id, String context, List<String> choices, int gold) {
    public ClozeItem {
        choices = List.copyOf(choices);
    }

    public ObjectNode toJson(ObjectMapper json) {
        ObjectNode o = json.createObjectNode();
        o.put("id", id);
        o.put("context", context);
        choices.forEach(o.putArray("choices")::add);
        o.put("gold", gold);
        return o;
    }
}
