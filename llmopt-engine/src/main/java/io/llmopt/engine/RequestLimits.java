package io.llmopt.engine;

import io.llmopt.tensor.LlmoptException;

/** What a request must satisfy to be admitted at all; each failure names the limit it hit. */
final class RequestLimits {
    private RequestLimits() {
    }

    /**
     * @throws LlmoptException for a token outside the vocabulary, prompt + max_tokens over the context, or more KV
     *     blocks than the whole pool (the request could never run)
     */
    static void check(EngineRequest request, int vocab, EngineConfig config) {
        int[] prompt = request.promptTokens();
        for (int id : prompt) {
            if (id < 0 || id >= vocab) {
                throw new LlmoptException("prompt token id " + id + " is outside the vocabulary (0.." + (vocab - 1) + ")");
            }
        }
        long total = (long) prompt.length + request.maxTokens();
        if (total > config.contextLength()) {
            throw new LlmoptException("prompt of " + prompt.length + " tokens + max_tokens " + request.maxTokens() + " = "
                    + total + " exceeds the context length of " + config.contextLength() + " tokens");
        }
        int needed = Sequence.blocksFor((int) total - 1, config.blockSize());
        if (needed > config.kvCacheBlocks()) {
            throw new LlmoptException("prompt of " + prompt.length + " tokens + max_tokens " + request.maxTokens()
                    + " needs " + needed + " KV blocks of " + config.blockSize() + " positions but the pool has only "
                    + config.kvCacheBlocks() + " (kv-cache-blocks)");
        }
    }
}
