package io.llmopt.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** OpenAI's {@code usage} object: prompts are counted once per prompt (not per choice), completions per choice. */
record Usage(int promptTokens, int completionTokens, int cachedTokens) {

    static Usage of(List<ChoiceOutput> choices, int[] promptLengths) {
        int prompt = 0;
        for (int len : promptLengths) {
            prompt += len;
        }
        int completion = 0;
        int[] cached = new int[promptLengths.length];
        for (ChoiceOutput c : choices) {
            if (c.completion != null) {
                completion += c.completion.completionTokens();
                cached[c.promptIndex] = Math.max(cached[c.promptIndex], c.completion.cachedPromptTokens());
            }
        }
        int cachedSum = 0;
        for (int c : cached) {
            cachedSum += c;
        }
        return new Usage(prompt, completion, cachedSum);
    }

    ObjectNode json() {
        ObjectNode u = Fields.MAPPER.createObjectNode();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completionTokens);
        u.put("total_tokens", promptTokens + completionTokens);
        u.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
        return u;
    }
}
