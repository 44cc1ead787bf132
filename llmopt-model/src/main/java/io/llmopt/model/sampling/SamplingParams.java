package io.llmopt.model.sampling;

import io.llmopt.tensor.LlmoptException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The knobs of one sequence's sampler, validated on construction. Start from {@link #defaults()} (llama.cpp's
 * defaults) or {@link #greedy()} and change fields with the {@code with…} methods, which validate again.
 *
 * <p>Every value has a neutral setting that switches its step off, so that each step of the chain can be
 * reasoned about alone (see {@link Sampler} for the order):
 *
 * <ul>
 *   <li>{@code temperature} ≥ 0; 0 ⇒ greedy (argmax after logit bias and penalties), 1 ⇒ logits unchanged.
 *   <li>{@code topK}: keep the k most likely tokens; ≤ 0 ⇒ off (any int is accepted, as in llama.cpp).
 *   <li>{@code topP} in (0, 1]: keep the smallest most-likely set whose probability reaches topP; 1 ⇒ off.
 *   <li>{@code minP} in [0, 1]: keep tokens with p ≥ minP·p_max; 0 ⇒ off.
 *   <li>{@code repeatPenalty} &gt; 0 (llama.cpp / CTRL): for each distinct token in the penalty window, a positive
 *       logit is divided by it, a zero or negative one multiplied; 1 ⇒ off.
 *   <li>{@code repeatLastN} ≥ −1: size of the penalty window in tokens (prompt tokens given to
 *       {@link Sampler#acceptPrompt} count); −1 ⇒ the whole history, 0 ⇒ all three penalties off.
 *   <li>{@code frequencyPenalty}, {@code presencePenalty} (OpenAI): logit −= count·frequency + (count &gt; 0)·presence,
 *       count = occurrences in the penalty window; 0 ⇒ off. Any finite value is accepted (OpenAI's own API
 *       limits them to [−2, 2]; enforcing that is the server's business).
 *   <li>{@code seed}: the PRNG seed; empty ⇒ the {@link Sampler} draws one at construction and reports it.
 *   <li>{@code logitBias}: token id → value added to its logit before anything else; −∞ bans the token.
 * </ul>
 *
 * <p>Messages of the {@link LlmoptException}s name the field as OpenAI / llama.cpp requests spell it
 * ({@code top_p}), the allowed range and the rejected value; NaN is rejected everywhere.
 */
public record SamplingParams(
        double temperature,
        int topK,
        double topP,
        double minP,
        double repeatPenalty,
        int repeatLastN,
        double frequencyPenalty,
        double presencePenalty,
        OptionalLong seed,
        Map<Integer, Float> logitBias) {

    /** llama.cpp's default penalty window. */
    public static final int DEFAULT_REPEAT_LAST_N = 64;

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new LlmoptException("temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new LlmoptException("top_p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new LlmoptException("min_p must be in [0, 1], got " + minP);
        }
        if (!(repeatPenalty > 0) || Double.isInfinite(repeatPenalty)) {
            throw new LlmoptException("repeat_penalty must be a finite number > 0 (1 = off), got " + repeatPenalty);
        }
        if (repeatLastN < -1) {
            throw new LlmoptException(
                    "repeat_last_n must be >= -1 (-1 = whole history, 0 = penalties off), got " + repeatLastN);
        }
        if (!Double.isFinite(frequencyPenalty)) {
            throw new LlmoptException("frequency_penalty must be a finite number (0 = off), got " + frequencyPenalty);
        }
        if (!Double.isFinite(presencePenalty)) {
            throw new LlmoptException("presence_penalty must be a finite number (0 = off), got " + presencePenalty);
        }
        Objects.requireNonNull(seed, "seed (use OptionalLong.empty() for a random seed)");
        logitBias = validatedBias(logitBias);
    }

    /** llama.cpp's defaults: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05, no penalties, random seed. */
    public static SamplingParams defaults() {
        return new SamplingParams(0.8, 40, 0.95, 0.05, 1.0, DEFAULT_REPEAT_LAST_N, 0, 0, OptionalLong.empty(), Map.of());
    }

    /**
     * Greedy decoding with every other step off. {@code greedy().withTemperature(1)} is plain sampling from
     * softmax(logits).
     */
    public static SamplingParams greedy() {
        return new SamplingParams(0, 0, 1, 0, 1, DEFAULT_REPEAT_LAST_N, 0, 0, OptionalLong.empty(), Map.of());
    }

    /** True when temperature is 0: the sampler returns the argmax and never consumes randomness. */
    public boolean isGreedy() {
        return temperature == 0;
    }

    /** True when at least one of the three penalties can change a logit. */
    public boolean penaltiesEnabled() {
        return repeatLastN != 0 && (repeatPenalty != 1 || frequencyPenalty != 0 || presencePenalty != 0);
    }

    public SamplingParams withTemperature(double value) {
        return new SamplingParams(value, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty,
                presencePenalty, seed, logitBias);
    }

    public SamplingParams withTopK(int value) {
        return new SamplingParams(temperature, value, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty,
                presencePenalty, seed, logitBias);
    }

    public SamplingParams withTopP(double value) {
        return new SamplingParams(temperature, topK, value, minP, repeatPenalty, repeatLastN, frequencyPenalty,
                presencePenalty, seed, logitBias);
    }

    public SamplingParams withMinP(double value) {
        return new SamplingParams(temperature, topK, topP, value, repeatPenalty, repeatLastN, frequencyPenalty,
                presencePenalty, seed, logitBias);
    }

    public SamplingParams withRepeatPenalty(double value) {
        return new SamplingParams(temperature, topK, topP, minP, value, repeatLastN, frequencyPenalty,
                presencePenalty, seed, logitBias);
    }

    public SamplingParams withRepeatLastN(int value) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, value, frequencyPenalty,
                presencePenalty, seed, logitBias);
    }

    public SamplingParams withFrequencyPenalty(double value) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, value,
                presencePenalty, seed, logitBias);
    }

    public SamplingParams withPresencePenalty(double value) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty,
                value, seed, logitBias);
    }

    public SamplingParams withSeed(long value) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty,
                presencePenalty, OptionalLong.of(value), logitBias);
    }

    /** Forgets the seed: each new {@link Sampler} draws its own. */
    public SamplingParams withRandomSeed() {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty,
                presencePenalty, OptionalLong.empty(), logitBias);
    }

    /** Replaces the whole bias map (null ⇒ none); the map is copied. */
    public SamplingParams withLogitBias(Map<Integer, Float> value) {
        return new SamplingParams(temperature, topK, topP, minP, repeatPenalty, repeatLastN, frequencyPenalty,
                presencePenalty, seed, value);
    }

    /** Copies into an immutable map ordered by token id, so iteration (and thus summation) order is fixed. */
    private static Map<Integer, Float> validatedBias(Map<Integer, Float> bias) {
        if (bias == null || bias.isEmpty()) {
            return Map.of();
        }
        TreeMap<Integer, Float> copy = new TreeMap<>();
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            Integer token = e.getKey();
            Float value = e.getValue();
            if (token == null || token < 0) {
                throw new LlmoptException("logit_bias token ids must be >= 0, got " + token);
            }
            if (value == null || value.isNaN() || value == Float.POSITIVE_INFINITY) {
                throw new LlmoptException("logit_bias for token " + token
                        + " must be a finite number or -Infinity (ban), got " + value);
            }
            copy.put(token, value);
        }
        return Collections.unmodifiableMap(copy);
    }
}
