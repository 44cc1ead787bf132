package io.llmopt.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.llmopt.tensor.LlmoptException;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Greedy choice, logit bias and the three penalties, on hand-computed examples. */
class SamplerPenaltyTest {

    @Test
    void greedyPicksTheArgmaxAndTheLowestIdOnTies() {
        Sampler sampler = new Sampler(SamplingParams.greedy(), 6);
        assertThat(sampler.sample(new float[] {0.1f, 2f, -3f, 1.9f, 0f, 2f}, 6)).isEqualTo(1);
        assertThat(sampler.sample(new float[] {-1f, -1f, -1f, -1f, -1f, -1f}, 6)).isEqualTo(0);
        assertThat(sampler.sample(new float[] {-5f, -4f, -3f, -2f, -1f, 7f}, 6)).isEqualTo(5);
        assertThat(sampler.candidateCount()).isEqualTo(1);
        assertThat(sampler.candidateToken(0)).isEqualTo(5);
        assertThat(sampler.candidateProbability(0)).isEqualTo(1f);
    }

    @Test
    void sampleLeavesTheCallersLogitsAlone() {
        float[] logits = {1f, 2f, 3f, 4f};
        float[] copy = logits.clone();
        Sampler sampler = new Sampler(SamplingParams.defaults().withRepeatPenalty(1.5).withSeed(1), 4);
        sampler.acceptPrompt(new int[] {3, 2});
        sampler.sample(logits, 4);
        assertThat(logits).containsExactly(copy);
    }

    @Test
    void logitsArrayMayBeLongerThanTheVocabulary() {
        Sampler sampler = new Sampler(SamplingParams.greedy(), 4);
        assertThat(sampler.sample(new float[] {0f, 1f, 0f, 0f, 99f}, 4)).isEqualTo(1);
    }

    @Test
    void logitBiasShiftsAndBans() {
        float[] logits = {1f, 3f, 2f};
        assertThat(new Sampler(SamplingParams.greedy().withLogitBias(Map.of(2, 1.5f)), 3).sample(logits, 3)).isEqualTo(2);
        assertThat(new Sampler(SamplingParams.greedy().withLogitBias(Map.of(1, Float.NEGATIVE_INFINITY)), 3)
                .sample(logits, 3)).isEqualTo(2);
        Sampler allBanned = new Sampler(SamplingParams.greedy().withTemperature(1).withLogitBias(
                Map.of(0, Float.NEGATIVE_INFINITY, 1, Float.NEGATIVE_INFINITY, 2, Float.NEGATIVE_INFINITY)), 3);
        assertThatThrownBy(() -> allBanned.sample(logits, 3))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("every token is banned");
    }

    @Test
    void biasTokenOutsideTheVocabularyIsAUserError() {
        assertThatThrownBy(() -> new Sampler(SamplingParams.greedy().withLogitBias(Map.of(10, 1f)), 10))
                .isInstanceOf(LlmoptException.class)
                .hasMessage("logit_bias token 10 is outside the vocabulary (size 10)");
    }

    @Test
    void nanOrPositiveInfinityLogitsFailLoudly() {
        Sampler sampler = new Sampler(SamplingParams.greedy(), 3);
        assertThatThrownBy(() -> sampler.sample(new float[] {0f, Float.NaN, 1f}, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 1 is NaN");
        assertThatThrownBy(() -> sampler.sample(new float[] {0f, 1f, Float.POSITIVE_INFINITY}, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("token 2 is Infinity");
    }

    @Test
    void penaltiesChangeExactlyTheRightLogits() {
        // history 0,1,0,2 (whole history): counts {0:2, 1:1, 2:1}; repeat 2, frequency 0.5, presence 0.25
        //   token 0:  2.0 / 2 = 1.0,   − (2·0.5 + 0.25) = −0.25
        //   token 1: −1.0 · 2 = −2.0,  − (1·0.5 + 0.25) = −2.75
        //   token 2:  0.5 / 2 = 0.25,  − 0.75           = −0.5
        //   tokens 3, 4 not in the history: unchanged (0.0 stays 0.0: no "≤ 0 ⇒ ×penalty" without a count)
        PenaltyHistory history = new PenaltyHistory(5, -1, 2f, 0.5f, 0.25f);
        for (int t : new int[] {0, 1, 0, 2}) {
            history.accept(t);
        }
        float[] logits = {2.0f, -1.0f, 0.5f, 3.0f, 0.0f};
        history.apply(logits, 5);
        assertThat(logits).containsExactly(-0.25f, -2.75f, -0.5f, 3.0f, 0.0f);
    }

    @Test
    void repeatPenaltyAloneFollowsLlamaCppSigns() {
        // Applied once per distinct token however often it occurs; zero is on the "multiply" side.
        PenaltyHistory history = new PenaltyHistory(4, 64, 1.25f, 0f, 0f);
        for (int t : new int[] {0, 0, 0, 1, 2}) {
            history.accept(t);
        }
        float[] logits = {5.0f, -4.0f, 0.0f, 5.0f};
        history.apply(logits, 4);
        assertThat(logits).containsExactly(4.0f, -5.0f, 0.0f, 5.0f);
    }

    @Test
    void frequencyAndPresenceFollowOpenAiFormula() {
        // mu[j] -= c[j]·alpha_frequency + (c[j] > 0)·alpha_presence, with c = 3, 1, 0
        PenaltyHistory history = new PenaltyHistory(3, -1, 1f, 0.75f, 1.5f);
        for (int t : new int[] {1, 0, 1, 1}) {
            history.accept(t);
        }
        float[] logits = {1.0f, 4.0f, -2.0f};
        history.apply(logits, 3);
        assertThat(logits).containsExactly(1.0f - 0.75f - 1.5f, 4.0f - 3 * 0.75f - 1.5f, -2.0f);
    }

    @Test
    void theWindowForgetsOldTokens() {
        // window 3 over 0,1,0,2 is 1,0,2: token 0 now counts once
        PenaltyHistory history = new PenaltyHistory(5, 3, 1f, 1f, 0f);
        for (int t : new int[] {0, 1, 0, 2}) {
            history.accept(t);
        }
        float[] logits = new float[5];
        history.apply(logits, 5);
        assertThat(logits).containsExactly(-1f, -1f, -1f, 0f, 0f);
        history.accept(3); // window 0,2,3: token 1 leaves
        logits = new float[5];
        history.apply(logits, 5);
        assertThat(logits).containsExactly(-1f, 0f, -1f, -1f, 0f);
    }

    @Test
    void windowCountsMatchABruteForceWindowAcrossBufferGrowth() {
        Random random = new Random(3);
        for (int window : new int[] {1, 7, 300, 1000, -1}) {
            PenaltyHistory history = new PenaltyHistory(50, window, 1f, 1f, 0f);
            ArrayDeque<Integer> last = new ArrayDeque<>();
            for (int step = 0; step < 2500; step++) {
                int token = random.nextInt(50);
                history.accept(token);
                last.addLast(token);
                if (window > 0 && last.size() > window) {
                    last.removeFirst();
                }
                if (step % 97 == 0 || step == 2499) {
                    int[] want = new int[50];
                    last.forEach(t -> want[t]++);
                    float[] logits = new float[50];
                    history.apply(logits, 50);
                    for (int t = 0; t < 50; t++) {
                        assertThat(history.count(t)).as("count of %d, window %d", t, window).isEqualTo(want[t]);
                        assertThat(logits[t]).isEqualTo(-(float) want[t]);
                    }
                }
            }
        }
    }

    @Test
    void samplerPenalisesPromptAndGeneratedTokensInItsWindow() {
        // Temperature 1, nothing truncated: log(p_i / p_3) recovers the penalised logit differences.
        SamplingParams params = SamplingParams.greedy().withTemperature(1)
                .withRepeatPenalty(2).withFrequencyPenalty(0.5).withPresencePenalty(0.25).withRepeatLastN(-1).withSeed(7);
        Sampler sampler = new Sampler(params, 5);
        sampler.acceptPrompt(new int[] {0, 1});
        sampler.accept(0);
        sampler.accept(2);
        sampler.sample(new float[] {2.0f, -1.0f, 0.5f, 3.0f, 0.0f}, 5);
        double[] p = new double[5];
        for (int i = 0; i < sampler.candidateCount(); i++) {
            p[sampler.candidateToken(i)] = sampler.candidateProbability(i);
        }
        float[] penalised = {-0.25f, -2.75f, -0.5f, 3.0f, 0.0f};
        for (int t = 0; t < 5; t++) {
            assertThat(Math.log(p[t] / p[3])).isCloseTo(penalised[t] - 3.0, within(1e-5));
        }
    }

    @Test
    void greedyArgmaxIsTakenAfterPenalties() {
        Sampler sampler = new Sampler(SamplingParams.greedy().withRepeatPenalty(4), 3);
        float[] logits = {4f, 3f, 0f};
        assertThat(sampler.sample(logits, 3)).isEqualTo(0);
        sampler.accept(0); // 4 / 4 = 1 < 3
        assertThat(sampler.sample(logits, 3)).isEqualTo(1);
        sampler.reset();
        assertThat(sampler.sample(logits, 3)).isEqualTo(0);
    }

    @Test
    void repeatLastNZeroOrNeutralValuesTurnPenaltiesOff() {
        assertThat(SamplingParams.greedy().withRepeatPenalty(2).withRepeatLastN(0).penaltiesEnabled()).isFalse();
        assertThat(SamplingParams.defaults().penaltiesEnabled()).isFalse();
        Sampler sampler = new Sampler(SamplingParams.greedy().withRepeatPenalty(100).withRepeatLastN(0), 2);
        sampler.accept(0);
        assertThat(sampler.sample(new float[] {2f, 1f}, 2)).isEqualTo(0);
    }

    @Test
    void acceptRejectsTokensOutsideTheVocabulary() {
        Sampler sampler = new Sampler(SamplingParams.greedy(), 8);
        assertThatThrownBy(() -> sampler.accept(8)).isInstanceOf(LlmoptException.class)
                .hasMessage("token id 8 is outside the vocabulary (size 8)");
        assertThatThrownBy(() -> sampler.acceptPrompt(new int[] {1, -1})).isInstanceOf(LlmoptException.class);
        assertThatThrownBy(() -> sampler.sample(new float[4], 9)).isInstanceOf(IllegalArgumentException.class);
    }
}
