package io.llmopt.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {

    private static void rejects(Supplier<SamplingParams> build, String message) {
        assertThatThrownBy(build::get).isInstanceOf(LlmoptException.class).hasMessage(message);
    }

    @Test
    void defaultsAreLlamaCpps() {
        SamplingParams d = SamplingParams.defaults();
        assertThat(d.temperature()).isEqualTo(0.8);
        assertThat(d.topK()).isEqualTo(40);
        assertThat(d.topP()).isEqualTo(0.95);
        assertThat(d.minP()).isEqualTo(0.05);
        assertThat(d.repeatPenalty()).isEqualTo(1.0);
        assertThat(d.repeatLastN()).isEqualTo(64);
        assertThat(d.seed()).isEmpty();
        assertThat(SamplingParams.greedy().isGreedy()).isTrue();
        assertThat(d.isGreedy()).isFalse();
    }

    @Test
    void withMethodsChangeOneField() {
        SamplingParams p = SamplingParams.greedy().withTopP(0.5).withSeed(7).withTopK(-3);
        assertThat(p.topP()).isEqualTo(0.5);
        assertThat(p.seed()).hasValue(7);
        assertThat(p.topK()).isEqualTo(-3); // any value <= 0 means off, as in llama.cpp
        assertThat(p.withRandomSeed().seed()).isEmpty();
        assertThat(p.temperature()).isZero();
    }

    @Test
    void rangesNameTheFieldAndTheValue() {
        SamplingParams g = SamplingParams.greedy();
        rejects(() -> g.withTopP(1.5), "top_p must be in (0, 1], got 1.5");
        rejects(() -> g.withTopP(0), "top_p must be in (0, 1], got 0.0");
        rejects(() -> g.withTopP(Double.NaN), "top_p must be in (0, 1], got NaN");
        rejects(() -> g.withMinP(-0.1), "min_p must be in [0, 1], got -0.1");
        rejects(() -> g.withMinP(Double.NaN), "min_p must be in [0, 1], got NaN");
        rejects(() -> g.withTemperature(-1), "temperature must be a finite number >= 0 (0 = greedy), got -1.0");
        rejects(() -> g.withTemperature(Double.NaN), "temperature must be a finite number >= 0 (0 = greedy), got NaN");
        rejects(() -> g.withTemperature(Double.POSITIVE_INFINITY),
                "temperature must be a finite number >= 0 (0 = greedy), got Infinity");
        rejects(() -> g.withRepeatPenalty(0), "repeat_penalty must be a finite number > 0 (1 = off), got 0.0");
        rejects(() -> g.withRepeatPenalty(Double.NaN), "repeat_penalty must be a finite number > 0 (1 = off), got NaN");
        rejects(() -> g.withRepeatLastN(-2),
                "repeat_last_n must be >= -1 (-1 = whole history, 0 = penalties off), got -2");
        rejects(() -> g.withFrequencyPenalty(Double.NaN), "frequency_penalty must be a finite number (0 = off), got NaN");
        rejects(() -> g.withPresencePenalty(Double.NEGATIVE_INFINITY),
                "presence_penalty must be a finite number (0 = off), got -Infinity");
    }

    @Test
    void edgesOfTheRangesAreAccepted() {
        SamplingParams g = SamplingParams.greedy();
        assertThat(g.withTopP(1).topP()).isEqualTo(1);
        assertThat(g.withTopP(Double.MIN_VALUE).topP()).isPositive();
        assertThat(g.withMinP(1).minP()).isEqualTo(1);
        assertThat(g.withMinP(0).minP()).isZero();
        assertThat(g.withRepeatLastN(-1).repeatLastN()).isEqualTo(-1);
        assertThat(g.withFrequencyPenalty(-2).withPresencePenalty(2).penaltiesEnabled()).isTrue();
    }

    @Test
    void logitBiasIsValidatedAndCopied() {
        Map<Integer, Float> bias = new HashMap<>();
        bias.put(3, 2.5f);
        bias.put(1, Float.NEGATIVE_INFINITY);
        SamplingParams p = SamplingParams.greedy().withLogitBias(bias);
        bias.put(4, 1f);
        assertThat(p.logitBias()).containsOnlyKeys(1, 3);
        assertThat(p.logitBias().keySet()).containsExactly(1, 3); // ordered by token id
        assertThatThrownBy(() -> p.logitBias().put(5, 1f)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(SamplingParams.greedy().withLogitBias(null).logitBias()).isEmpty();

        rejects(() -> SamplingParams.greedy().withLogitBias(Map.of(-1, 1f)), "logit_bias token ids must be >= 0, got -1");
        rejects(() -> SamplingParams.greedy().withLogitBias(Map.of(2, Float.NaN)),
                "logit_bias for token 2 must be a finite number or -Infinity (ban), got NaN");
        rejects(() -> SamplingParams.greedy().withLogitBias(Map.of(2, Float.POSITIVE_INFINITY)),
                "logit_bias for token 2 must be a finite number or -Infinity (ban), got Infinity");
    }
}
