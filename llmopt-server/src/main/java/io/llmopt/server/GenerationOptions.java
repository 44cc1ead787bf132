package io.llmopt.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.engine.EngineRequest;
import io.llmopt.model.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The generation fields shared by /v1/completions and /v1/chat/completions, validated, with OpenAI's defaults
 * (temperature 1, top_p 1, no top-k / min-p / repetition penalty unless given).
 *
 * @param maxTokens    max_tokens / max_completion_tokens, empty ⇒ as many as the context allows
 * @param stop         stop strings (up to {@link #MAX_STOPS})
 * @param n            choices per prompt
 * @param topLogprobs  −1 = no logprobs, else the sampled token's logprob plus this many alternatives
 * @param ignoreEos    an extension (as in vLLM): keep generating past end-of-generation tokens
 */
public record GenerationOptions(OptionalInt maxTokens, SamplingParams sampling, List<String> stop, int n,
        boolean stream, boolean includeUsage, int topLogprobs, boolean ignoreEos) {

    public static final int MAX_N = 64;
    public static final int MAX_STOPS = 16;

    /** Reads the shared fields; {@code chat} selects how logprobs are spelled (bool + top_logprobs vs int). */
    public static GenerationOptions parse(Fields f, boolean chat) {
        OptionalInt maxTokens = f.integer("max_tokens", 1, Integer.MAX_VALUE);
        if (chat) {
            OptionalInt mct = f.integer("max_completion_tokens", 1, Integer.MAX_VALUE);
            if (mct.isPresent()) {
                maxTokens = mct;
            }
        }
        SamplingParams s = SamplingParams.greedy()
                .withTemperature(f.number("temperature", 0, 2).orElse(1))
                .withTopP(topP(f))
                .withTopK(f.integer("top_k", -1, Integer.MAX_VALUE).orElse(0))
                .withMinP(f.number("min_p", 0, 1).orElse(0))
                .withRepeatPenalty(repetitionPenalty(f))
                .withRepeatLastN(-1)
                .withFrequencyPenalty(f.number("frequency_penalty", -2, 2).orElse(0))
                .withPresencePenalty(f.number("presence_penalty", -2, 2).orElse(0));
        s = s.withLogitBias(logitBias(f));
        OptionalLong seed = f.longInteger("seed");
        if (seed.isPresent()) {
            s = s.withSeed(seed.getAsLong());
        }
        int n = f.integer("n", 1, MAX_N).orElse(1);
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        JsonNode so = f.node("stream_options");
        if (so != null) {
            if (!so.isObject()) {
                throw ApiException.badRequest("stream_options", "'stream_options' must be an object, got " + Fields.kind(so));
            }
            JsonNode iu = so.get("include_usage");
            if (iu != null && !iu.isNull()) {
                if (!iu.isBoolean()) {
                    throw ApiException.badRequest("stream_options.include_usage", "'stream_options.include_usage' must be a boolean");
                }
                includeUsage = iu.booleanValue();
            }
        }
        int topLogprobs = chat ? chatLogprobs(f) : f.integer("logprobs", 0, EngineRequest.MAX_TOP_LOGPROBS).orElse(-1);
        return new GenerationOptions(maxTokens, s, stops(f), n, stream, includeUsage, topLogprobs, f.bool("ignore_eos", false));
    }

    /** The seeded sampling for choice {@code index}: seed + index, so n choices differ but stay reproducible. */
    public SamplingParams samplingFor(int index) {
        return sampling.seed().isPresent() && index > 0 ? sampling.withSeed(sampling.seed().getAsLong() + index) : sampling;
    }

    /** OpenAI's {"token id": bias in [-100, 100]}; -100 effectively bans a token. */
    private static java.util.Map<Integer, Float> logitBias(Fields f) {
        JsonNode n = f.node("logit_bias");
        if (n == null) {
            return java.util.Map.of();
        }
        if (!n.isObject()) {
            throw ApiException.badRequest("logit_bias", "'logit_bias' must be an object of token id → bias, got " + Fields.kind(n));
        }
        java.util.Map<Integer, Float> bias = new java.util.HashMap<>();
        for (var it = n.properties().iterator(); it.hasNext();) {
            var e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' keys must be token ids, got \"" + e.getKey() + "\"");
            }
            JsonNode v = e.getValue();
            if (id < 0 || !v.isNumber() || !(v.doubleValue() >= -100 && v.doubleValue() <= 100)) {
                throw ApiException.badRequest("logit_bias", "'logit_bias' needs token ids >= 0 and biases in [-100, 100], got "
                        + e.getKey() + ": " + Fields.brief(v));
            }
            bias.put(id, (float) v.doubleValue());
        }
        return bias;
    }

    private static double topP(Fields f) {
        double p = f.number("top_p", 0, 1).orElse(1);
        if (p == 0) {
            throw ApiException.badRequest("top_p", "'top_p' must be in (0, 1], got 0");
        }
        return p;
    }

    private static double repetitionPenalty(Fields f) {
        double r = f.number("repetition_penalty", 0, 100).orElse(1);
        if (r == 0) {
            throw ApiException.badRequest("repetition_penalty", "'repetition_penalty' must be in (0, 100], got 0");
        }
        return r;
    }

    private static int chatLogprobs(Fields f) {
        boolean logprobs = f.bool("logprobs", false);
        OptionalInt top = f.integer("top_logprobs", 0, EngineRequest.MAX_TOP_LOGPROBS);
        if (top.isPresent() && !logprobs) {
            throw ApiException.badRequest("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        return logprobs ? top.orElse(0) : -1;
    }

    private static List<String> stops(Fields f) {
        JsonNode n = f.node("stop");
        if (n == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            out.add(n.textValue());
        } else if (n.isArray()) {
            if (n.size() > MAX_STOPS) {
                throw ApiException.badRequest("stop", "'stop' may hold at most " + MAX_STOPS + " strings, got " + n.size());
            }
            for (JsonNode e : n) {
                if (!e.isTextual()) {
                    throw ApiException.badRequest("stop", "'stop' must be a string or an array of strings; found " + Fields.kind(e));
                }
                out.add(e.textValue());
            }
        } else {
            throw ApiException.badRequest("stop", "'stop' must be a string or an array of strings, got " + Fields.kind(n));
        }
        for (String s : out) {
            if (s.isEmpty()) {
                throw ApiException.badRequest("stop", "'stop' strings must not be empty");
            }
        }
        return List.copyOf(out);
    }
}
