package io.llmopt.model.generate;

import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.LlmoptException;
import java.util.List;

/**
 * What to generate: a tokenized prompt (BOS included when the model wants one), at most {@code maxTokens}
 * new tokens, sampling settings, stop strings, and whether an end-of-generation token ends the text.
 */
public record GenerationRequest(int[] promptTokens, int maxTokens, SamplingParams sampling, List<String> stopStrings,
        boolean ignoreEndOfGeneration) {

    public GenerationRequest {
        if (promptTokens == null || promptTokens.length == 0) {
            throw new LlmoptException("the prompt is empty: at least one token (e.g. BOS) is needed to start generation");
        }
        if (maxTokens < 0) {
            throw new LlmoptException("the number of tokens to generate (-n) must be >= 0, got " + maxTokens);
        }
        promptTokens = promptTokens.clone();
        stopStrings = List.copyOf(stopStrings);
    }

    public static GenerationRequest of(int[] promptTokens, int maxTokens, SamplingParams sampling) {
        return new GenerationRequest(promptTokens, maxTokens, sampling, List.of(), false);
    }
}
