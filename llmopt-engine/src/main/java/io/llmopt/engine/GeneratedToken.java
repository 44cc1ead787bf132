package io.llmopt.engine;

import java.util.List;

/**
 * @param id           the sampled token id
 * @param text         text released by this token (after UTF-8 assembly and stop-string holding back)
 * @param logprob      log-probability of the sampled token under the unmodified model distribution, or NaN
 *                     when logprobs were not requested
 * @param topLogprobs  the most likely alternatives (empty unless requested)
 */
public record GeneratedToken(int id, String text, float logprob, List<TokenLogprob> topLogprobs) {

    /** One alternative: token id, its text (may be a partial UTF-8 piece) and log-probability. */
    public record TokenLogprob(int id, String text, float logprob) {}
}
