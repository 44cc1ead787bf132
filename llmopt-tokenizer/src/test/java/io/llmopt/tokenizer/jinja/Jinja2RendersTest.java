package io.llmopt.tokenizer.jinja;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * All 19 shared chat templates against Python jinja2's renders (jinja2_renders.json, made by the script beside it):
 * 3 conversations × add_generation_prompt × with/without tools. Where jinja2 raised, this engine must raise too —
 * except the known, deliberate difference listed in {@link #LENIENT}.
 */
class Jinja2RendersTest {
    /**
     * jinja2's {@code map}/{@code select} return generators, so {@code tools | map(attribute='function') | tojson}
     * fails in Python ("Object of type generator is not JSON serializable"); here they return lists and the
     * template renders, as it does in llama.cpp (whose own template this is).
     */
    private static final Set<String> LENIENT = Set.of("llama-cpp-deepseek-r1.jinja");

    @Test
    void sharedTemplatesRenderLikeJinja2() throws IOException {
        JsonNode root;
        try (InputStream in = getClass().getResourceAsStream("jinja2_renders.json")) {
            root = new ObjectMapper().readTree(in);
        }
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Object> conversations = mapper.convertValue(root.get("conversations"), Map.class);
        List<?> tools = mapper.convertValue(root.get("tools"), List.class);
        Values.Callable fixedClock = (args, kw) -> JinjaTemplate.strftime(Values.str(args.get(0)),
                ZonedDateTime.of(2024, 7, 26, 0, 0, 0, 0, ZoneOffset.UTC));
        int matched = 0;
        int total = 0;
        List<String> failures = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("renders").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String[] key = e.getKey().split("\\|");
            String source = Files.readString(SharedData.require("chat-templates/" + key[0]));
            Map<String, Object> vars = new HashMap<>();
            vars.put("messages", conversations.get(key[1]));
            vars.put("add_generation_prompt", Boolean.parseBoolean(key[2]));
            vars.put("bos_token", "<s>");
            vars.put("eos_token", "</s>");
            if (Boolean.parseBoolean(key[3])) {
                vars.put("tools", tools);
            }
            vars.put("strftime_now", fixedClock);
            String got;
            boolean raised = false;
            try {
                got = JinjaTemplate.parse(source).render(vars);
            } catch (JinjaException ex) {
                got = "raised: " + ex.getMessage();
                raised = true;
            }
            total++;
            boolean ok = e.getValue().has("ok") ? got.equals(e.getValue().get("ok").asText())
                    : raised || LENIENT.contains(key[0]);
            if (ok) {
                matched++;
            } else if (failures.size() < 3) {
                failures.add(e.getKey() + "\nexpected: " + e.getValue() + "\ngot:      " + got);
            }
        }
        System.out.println("conformance jinja2_renders.json (19 shared templates): " + matched + "/" + total);
        assertThat(failures).as(String.join("\n\n", failures)).isEmpty();
    }
}
