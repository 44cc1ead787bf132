package io.llmopt.model.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Truncation and temperature: empirical frequencies of 100k seeded draws against distributions computed by hand,
 * and the exact surviving distribution against {@link ReferenceChain} on random inputs.
 */
class SamplerDistributionTest {
    private static final int DRAWS = 100_000;

    /** Probabilities chosen so that every cut below is far from a boundary; logits = ln(p). */
    private static final double[] P = {0.05, 0.30, 0.10, 0.25, 0.02, 0.20, 0.08};

    private static float[] logitsOf(double[] p) {
        float[] logits = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            logits[i] = (float) Math.log(p[i]);
        }
        return logits;
    }

    /** p restricted to {@code keep}, each raised to 1/T, renormalised: the analytic target of each test. */
    private static double[] expected(double temperature, int... keep) {
        double[] q = new double[P.length];
        double sum = 0;
        for (int t : keep) {
            q[t] = Math.pow(P[t], 1 / temperature);
            sum += q[t];
        }
        for (int t : keep) {
            q[t] /= sum;
        }
        return q;
    }

    private static double[] frequencies(SamplingParams params, float[] logits) {
        Sampler sampler = new Sampler(params.withSeed(20240601L), logits.length);
        int[] counts = new int[logits.length];
        for (int i = 0; i < DRAWS; i++) {
            counts[sampler.sample(logits, logits.length)]++;
        }
        double[] f = new double[logits.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = counts[i] / (double) DRAWS;
        }
        return f;
    }

    /** Max |f − q| < 0.01, a chi-square below the 0.1 % critical value, and no draw outside q's support. */
    private static void assertMatches(double[] f, double[] q) {
        double chiSquare = 0;
        int categories = 0;
        for (int t = 0; t < q.length; t++) {
            if (q[t] == 0) {
                assertThat(f[t]).as("frequency of excluded token %d", t).isZero();
            } else {
                assertThat(f[t]).as("frequency of token %d", t).isCloseTo(q[t], within(0.01));
                double expectedCount = q[t] * DRAWS;
                double d = f[t] * DRAWS - expectedCount;
                chiSquare += d * d / expectedCount;
                categories++;
            }
        }
        // 0.1 % critical values of chi-square for 1..6 degrees of freedom.
        double[] critical = {10.83, 13.82, 16.27, 18.47, 20.52, 22.46};
        if (categories > 1) {
            assertThat(chiSquare).as("chi-square, %d categories", categories).isLessThan(critical[categories - 2]);
        }
    }

    private static SamplingParams plain() {
        return SamplingParams.greedy().withTemperature(1);
    }

    @Test
    void temperatureOneSamplesTheSoftmax() {
        assertMatches(frequencies(plain(), logitsOf(P)), expected(1, 0, 1, 2, 3, 4, 5, 6));
    }

    @Test
    void temperatureSharpensAndFlattens() {
        assertMatches(frequencies(plain().withTemperature(0.5), logitsOf(P)), expected(0.5, 0, 1, 2, 3, 4, 5, 6));
        assertMatches(frequencies(plain().withTemperature(2), logitsOf(P)), expected(2, 0, 1, 2, 3, 4, 5, 6));
        // The analytic targets really differ, so the checks above can tell temperatures apart.
        assertThat(expected(0.5, 0, 1, 2, 3, 4, 5, 6)[1] - expected(2, 0, 1, 2, 3, 4, 5, 6)[1]).isGreaterThan(0.1);
    }

    @Test
    void topKKeepsTheKMostLikely() {
        assertMatches(frequencies(plain().withTopK(3), logitsOf(P)), expected(1, 1, 3, 5));
        assertMatches(frequencies(plain().withTopK(1), logitsOf(P)), expected(1, 1));
    }

    @Test
    void topPKeepsTheTokenThatCrossesP() {
        // sorted: 0.30, 0.25, 0.20 (cum 0.75), 0.10 (cum 0.85 >= 0.8, kept), 0.08 ...
        assertMatches(frequencies(plain().withTopP(0.8), logitsOf(P)), expected(1, 1, 3, 5, 2));
        assertMatches(frequencies(plain().withTopP(0.2), logitsOf(P)), expected(1, 1));
    }

    @Test
    void minPKeepsTokensAboveAFractionOfTheBest() {
        // threshold 0.3 * 0.30 = 0.09: keeps 0.30, 0.25, 0.20, 0.10; drops 0.08, 0.05, 0.02
        assertMatches(frequencies(plain().withMinP(0.3), logitsOf(P)), expected(1, 1, 3, 5, 2));
    }

    @Test
    void truncationUsesTemperatureOneProbabilitiesThenTemperatureReshapes() {
        // llama.cpp order: top-k 5 -> {.30 .25 .20 .10 .08}/0.93; top-p 0.8 stops at cum .806 -> {1, 3, 5};
        // min-p 0.3 keeps all three; only then temperature 0.7 reshapes them.
        SamplingParams params = plain().withTopK(5).withTopP(0.8).withMinP(0.3).withTemperature(0.7);
        assertMatches(frequencies(params, logitsOf(P)), expected(0.7, 1, 3, 5));
        // With temperature applied first (HF / vLLM order), temperature 3 flattens the top-5 to
        // {.241 .227 .211 .167 .155} and top-p 0.8 would keep 4 tokens; llama.cpp's order still keeps {1, 3, 5}.
        assertMatches(frequencies(params.withTemperature(3), logitsOf(P)), expected(3, 1, 3, 5));
    }

    @Test
    void bannedTokensNeverAppear() {
        SamplingParams params = plain().withLogitBias(Map.of(1, Float.NEGATIVE_INFINITY, 3, Float.NEGATIVE_INFINITY));
        assertMatches(frequencies(params, logitsOf(P)), expected(1, 0, 2, 4, 5, 6));
    }

    @Test
    void survivingDistributionEqualsTheReferenceChainOnRandomInputs() {
        Random random = new Random(99);
        int[] vocabSizes = {1, 2, 3, 37, 256, 1000, 4099};
        int cases = 0;
        for (int vocab : vocabSizes) {
            for (int trial = 0; trial < 12; trial++) {
                float[] logits = new float[vocab];
                boolean coarse = trial % 3 == 0; // rounded logits create many exact ties
                for (int i = 0; i < vocab; i++) {
                    double x = random.nextGaussian() * 3;
                    logits[i] = coarse ? Math.round(x) : (float) x;
                }
                if (vocab > 2 && trial % 4 == 1) {
                    logits[random.nextInt(vocab)] = Float.NEGATIVE_INFINITY;
                }
                SamplingParams params = plain()
                        .withTemperature(new double[] {0.3, 1, 1.7}[trial % 3])
                        .withTopK(new int[] {0, 1, 5, 40, vocab + 3}[trial % 5])
                        .withTopP(new double[] {1, 0.9, 0.5, 0.99}[trial % 4])
                        .withMinP(new double[] {0, 0.05, 0.2}[(trial / 2) % 3])
                        .withRepeatPenalty(trial % 2 == 0 ? 1.3 : 1)
                        .withFrequencyPenalty(trial % 3 == 1 ? 0.4 : 0)
                        .withPresencePenalty(trial % 5 == 2 ? 0.7 : 0)
                        .withRepeatLastN(new int[] {64, -1, 5}[trial % 3])
                        .withSeed(trial);
                List<Integer> history = new ArrayList<>();
                for (int i = 0; i < 80; i++) {
                    history.add(random.nextInt(Math.min(vocab, 20)));
                }
                Sampler sampler = new Sampler(params, vocab);
                for (int token : history) {
                    sampler.accept(token);
                }
                int chosen = sampler.sample(logits, vocab);
                double[] want = ReferenceChain.distribution(params, logits, history);
                double[] got = new double[vocab];
                for (int i = 0; i < sampler.candidateCount(); i++) {
                    got[sampler.candidateToken(i)] += sampler.candidateProbability(i);
                }
                for (int t = 0; t < vocab; t++) {
                    assertThat(got[t]).as("p(%d), vocab %d, trial %d, %s", t, vocab, trial, params)
                            .isCloseTo(want[t], within(2e-6));
                }
                assertThat(want[chosen]).as("chosen token has positive reference probability").isPositive();
                cases++;
            }
        }
        assertThat(cases).isEqualTo(vocabSizes.length * 12);
    }

    @Test
    void topPOnTiesKeepsTheLowestIds() {
        // Everything lands in one bucket: the exact ranking inside it decides, ties to the lower id.
        int vocab = 1000;
        Sampler sampler = new Sampler(plain().withTopP(0.5).withSeed(2), vocab);
        sampler.sample(new float[vocab], vocab);
        assertThat(sampler.candidateCount()).isEqualTo(500);
        for (int i = 0; i < 500; i++) {
            assertThat(sampler.candidateToken(i)).isLessThan(500);
        }
    }

    @Test
    void topPOverLogitsSpanningMoreThanTheBucketRange() {
        // 4000 logits over 200 nats, most of them in the catch-all bucket beyond 32 nats, nuclei from a few tokens to
        // 23 nats deep. (Mass beyond 32 nats is below e^-32 of the total, i.e. at double rounding level, so the
        // catch-all bucket can only be the boundary for top_p within ~1e-14 of 1, where no two summation orders agree.)
        int vocab = 4000;
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[(i * 7919) % vocab] = -0.05f * i; // permuted, so token order is not logit order
        }
        for (double topP : new double[] {0.3, 0.99, 0.9999999999}) {
            SamplingParams params = plain().withTopP(topP).withSeed(3);
            Sampler sampler = new Sampler(params, vocab);
            sampler.sample(logits, vocab);
            double[] want = ReferenceChain.distribution(params, logits, List.of());
            double[] got = new double[vocab];
            for (int i = 0; i < sampler.candidateCount(); i++) {
                got[sampler.candidateToken(i)] = sampler.candidateProbability(i);
            }
            for (int t = 0; t < vocab; t++) {
                assertThat(got[t] > 0).as("token %d kept at top_p %s", t, topP).isEqualTo(want[t] > 0);
                assertThat(got[t]).isCloseTo(want[t], within(1e-7));
            }
        }
    }

    @Test
    void largeVocabularyTopPWithoutTopKMatchesTheReference() {
        // The heap-based nucleus path on a realistic vocabulary with a peaked distribution.
        int vocab = 32_000;
        Random random = new Random(5);
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) (random.nextGaussian() * 2.5);
        }
        SamplingParams params = plain().withTopP(0.9).withTemperature(0.8).withSeed(1);
        Sampler sampler = new Sampler(params, vocab);
        sampler.sample(logits, vocab);
        double[] want = ReferenceChain.distribution(params, logits, List.of());
        int support = 0;
        for (double p : want) {
            support += p > 0 ? 1 : 0;
        }
        assertThat(sampler.candidateCount()).isEqualTo(support);
        for (int i = 0; i < sampler.candidateCount(); i++) {
            int t = sampler.candidateToken(i);
            assertThat((double) sampler.candidateProbability(i)).isCloseTo(want[t], within(1e-7));
        }
    }
}
