package io.llmopt.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** chat-templates/rendered.json (Python jinja2 3.1.6 with HF settings) reproduced byte for byte. */
class ChatTemplateTest {

    @Test
    void reproducesRenderedJson() throws IOException {
        JsonNode root = Conformance.JSON.readTree(SharedData.require("chat-templates/rendered.json").toFile());
        List<ChatMessage> conversation = new ArrayList<>();
        for (JsonNode m : root.get("messages")) {
            conversation.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        int matched = 0;
        int total = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.get("results").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ChatTemplate template = ChatTemplate.fromTokenizerConfig(
                    SharedData.require("tokenizers/hf/" + e.getKey() + "/tokenizer_config.json")).orElseThrow();
            String all = template.render(conversation, false);
            String firstTwo = template.render(conversation.subList(0, 2), true);
            assertThat(all).as(e.getKey() + " add_generation_prompt_false")
                    .isEqualTo(e.getValue().get("add_generation_prompt_false").asText());
            assertThat(firstTwo).as(e.getKey() + " first2_add_generation_prompt_true")
                    .isEqualTo(e.getValue().get("first2_add_generation_prompt_true").asText());
            matched += 2;
            total += 2;
        }
        System.out.println("conformance chat-templates/rendered.json: " + matched + "/" + total);
        assertThat(total).isEqualTo(4);
    }

    /** The rendered llama3 conversation tokenizes to @lenml/tokenizers' ids (special-token text parsed). */
    @Test
    void renderedLlama3ConversationTokenizesLikeTheReference() throws IOException {
        JsonNode ref = Conformance.JSON.readTree(SharedData.require("tokenizers/hf/llama3/chat_template_render.json").toFile());
        List<ChatMessage> conversation = new ArrayList<>();
        for (JsonNode m : ref.get("messages")) {
            conversation.add(new ChatMessage(m.get("role").asText(), m.get("content").asText()));
        }
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(
                SharedData.require("tokenizers/hf/llama3/tokenizer_config.json")).orElseThrow();
        String text = template.render(conversation, false);
        assertThat(text).isEqualTo(ref.get("rendered_add_generation_prompt_false").asText());
        assertThat(BpeConformanceTest.hf("llama3").encode(text, false, true))
                .containsExactly(Conformance.ints(ref.get("ids_add_generation_prompt_false")));
    }
}
