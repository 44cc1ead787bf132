package io.llmopt.engine;

import io.llmopt.model.sampling.SamplingParams;
import io.llmopt.tensor.LlmoptException;
import java.util.List;
import java.util.Objects;

/**
 * What one sequence should generate.
 *
 * @param promptTokens  the full prompt, BOS and chat template already applied (not copied; do not mutate)
 * @param maxTokens     tokens to generate at most (≥ 1); prompt + maxTokens must fit the context
 * @param sampling      sampler settings (seeded ⇒ reproducible; temperature 0 ⇒ greedy)
 * @param stopStrings   text that ends generation; it is not included in the streamed text
 * @param topLogprobs   −1 = no logprobs; 0..20 = the sampled token's logprob plus this many alternatives
 * @param ignoreEos     keep generating past end-of-generation tokens (benchmarks)
 */
public record EngineRequest(int[] promptTokens, int maxTokens, SamplingParams sampling, List<String> stopStrings,
        int topLogprobs, boolean ignoreEos) {

    public static final int MAX_TOP_LOGPROBS = 20;

    public EngineRequest {
        Objects.requireNonNull(promptTokens, "promptTokens");
        Objects.requireNonNull(sampling, "sampling");
        stopStrings = List.copyOf(stopStrings);
        if (promptTokens.length == 0) {
            throw new LlmoptException("the prompt must contain at least one token");
        }
        if (maxTokens < 1) {
            throw new LlmoptException("max_tokens must be >= 1, got " + maxTokens);
        }
        if (topLogprobs < -1 || topLogprobs > MAX_TOP_LOGPROBS) {
            throw new LlmoptException("top_logprobs must be in [0, " + MAX_TOP_LOGPROBS + "], got " + topLogprobs);
        }
    }
}
