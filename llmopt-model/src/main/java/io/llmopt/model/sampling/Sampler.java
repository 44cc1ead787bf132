package io.llmopt.model.sampling;

import io.llmopt.tensor.LlmoptException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Chooses the next token of one sequence from the logits of its last position, following llama.cpp's default
 * sampler chain. Not thread-safe: one instance per sequence.
 *
 * <h2>The chain, in order</h2>
 * <ol>
 *   <li><b>logit bias</b>: {@code logit[t] += bias[t]} (−∞ bans t).
 *   <li><b>penalties</b> over the window of accepted tokens: repeat (llama.cpp), then frequency and presence (OpenAI);
 *       see {@link PenaltyHistory}.
 *   <li>if temperature is 0: return the argmax, lowest id on ties. (Truncation cannot change the argmax, so the
 *       remaining steps are skipped and no randomness is consumed.)
 *   <li><b>top-k</b>: keep the k best tokens (ties at the boundary go to the lower id).
 *   <li><b>top-p</b>: with p = softmax of the surviving logits <em>at temperature 1</em>, keep the best tokens until
 *       their cumulative probability is ≥ top_p, including the token that crosses it.
 *   <li><b>min-p</b>: keep tokens with {@code logit ≥ max_logit + ln(min_p)}, i.e. p ≥ min_p·p_max.
 *   <li><b>temperature</b>: p ∝ exp((logit − max_logit) / T) over the survivors.
 *   <li><b>dist</b>: draw u uniform in [0, 1) and return the first survivor whose cumulative weight exceeds u·Σweight.
 * </ol>
 * Steps llama.cpp also offers but that are off by default (DRY, top-n-σ, typical-p, XTC, mirostat) are not
 * implemented. llama.cpp's {@code top_k = 40, top_p = 0.95, min_p = 0.05, temp = 0.8} is {@link SamplingParams#defaults()}.
 *
 * <h2>Where others differ</h2>
 * <ul>
 *   <li>Hugging Face {@code generate} and vLLM scale by temperature <em>before</em> top-k/top-p/min-p, so for T ≠ 1
 *       their nucleus and min-p cut differ from llama.cpp's and ours; HF's {@code repetition_penalty} is our repeat
 *       penalty over the whole input ({@code repeatLastN = -1}, prompt accepted).
 *   <li>OpenAI counts only generated tokens for frequency/presence penalties, applies no repeat penalty, and does
 *       not document where temperature sits. To get its penalty semantics, do not pass the prompt to
 *       {@link #acceptPrompt} (which also hides it from the repeat penalty) and use {@code repeatLastN = -1}.
 *   <li>Randomness: llama.cpp uses {@code std::mt19937}; we use {@link Xoshiro256StarStar}, so the same seed gives
 *       different tokens in llama.cpp and here.
 * </ul>
 *
 * <h2>Determinism and cost</h2>
 * Given identical logits and seed, the token stream is identical on every JVM: the PRNG is integer-only, the
 * tie-breaking order is total, float/double arithmetic is IEEE in Java, and exponentials use {@link Exp}
 * (bit-reproducible, unlike {@link Math#exp}). {@link #sample} and {@link #accept} allocate nothing once the
 * penalty window has filled: all scratch (a float and an int array of vocabulary size, one more int array when
 * penalties are on) is made here. Costs per call, V = vocabulary size: O(V) to copy and scan; top-k O(V log k) at worst (a bounded heap, no sort); top-p
 * after top-k O(k); top-p without top-k O(V + b log b), b = tokens in one 1/8-nat bucket of logits (bucketing, then
 * a heap; never a full sort); V exponentials only when top-p runs without top-k or nothing truncates.
 */
public final class Sampler {
    /** Top-p without top-k: 256 buckets of 1/8 nat cover the 32 nats below the max logit (see nucleusByBuckets). */
    private static final int NUCLEUS_BUCKETS = 256;
    private static final double BUCKETS_PER_NAT = 8;

    private final SamplingParams params;
    private final int capacity;
    private final long seed;
    private final Xoshiro256StarStar random;
    private final PenaltyHistory history; // null when penalties are off
    private final int[] biasTokens;
    private final float[] biasValues;
    private final float lnMinP;

    private final double[] bucketMass; // per bucket, for top-p without top-k; null when top-p is off
    private final int[] bucketCount;

    /** Logits after bias and penalties; afterwards, the temperature weights of the surviving tokens. */
    private final float[] work;
    /** Surviving token ids, ids[0..count), when {@link #listed}. */
    private final int[] ids;
    /** False while nothing was truncated: the survivors are all tokens and ids[] is not filled. */
    private boolean listed;

    // The last draw's distribution, for candidateCount/Token/Probability: survivors as above, weights in work[].
    private int lastCount;
    private double lastSum;
    private int lastGreedyToken = -1;

    /**
     * @param vocabSize the largest vocabulary {@link #sample} will be called with; sizes the scratch arrays
     * @throws LlmoptException if a logit-bias token is outside the vocabulary
     */
    public Sampler(SamplingParams params, int vocabSize) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be >= 1, got " + vocabSize);
        }
        this.params = params;
        this.capacity = vocabSize;
        this.seed = params.seed().isPresent() ? params.seed().getAsLong() : ThreadLocalRandom.current().nextLong();
        this.random = new Xoshiro256StarStar(seed);
        this.history = params.penaltiesEnabled()
                ? new PenaltyHistory(vocabSize, params.repeatLastN(), (float) params.repeatPenalty(),
                        (float) params.frequencyPenalty(), (float) params.presencePenalty())
                : null;
        Map<Integer, Float> bias = params.logitBias();
        this.biasTokens = new int[bias.size()];
        this.biasValues = new float[bias.size()];
        int i = 0;
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            if (e.getKey() >= vocabSize) {
                throw new LlmoptException("logit_bias token " + e.getKey()
                        + " is outside the vocabulary (size " + vocabSize + ")");
            }
            biasTokens[i] = e.getKey();
            biasValues[i] = e.getValue();
            i++;
        }
        this.lnMinP = params.minP() > 0 ? (float) StrictMath.log(params.minP()) : Float.NEGATIVE_INFINITY;
        this.work = new float[vocabSize];
        this.ids = new int[vocabSize];
        this.bucketMass = params.topP() < 1 ? new double[NUCLEUS_BUCKETS] : null;
        this.bucketCount = params.topP() < 1 ? new int[NUCLEUS_BUCKETS] : null;
    }

    public SamplingParams params() {
        return params;
    }

    /** The seed in use: the one given in the params, or the one drawn at construction (report it to the user). */
    public long seed() {
        return seed;
    }

    /** Appends a generated token to the penalty history. {@link #sample} does not do it itself. */
    public void accept(int token) {
        if (token < 0 || token >= capacity) {
            throw new LlmoptException("token id " + token + " is outside the vocabulary (size " + capacity + ")");
        }
        if (history != null) {
            history.accept(token);
        }
    }

    /** Appends prompt tokens to the penalty history (llama.cpp and HF penalise them; OpenAI does not). */
    public void acceptPrompt(int[] tokens) {
        for (int token : tokens) {
            accept(token);
        }
    }

    /** Forgets the history and restarts the random stream from {@link #seed()}, ready for a new sequence. */
    public void reset() {
        if (history != null) {
            history.clear();
        }
        random.reseed(seed);
        lastGreedyToken = -1;
        lastCount = 0;
    }

    /**
     * Runs the chain on {@code logits[0..vocabSize)} and returns the chosen token id. The caller's array is not
     * modified. The token is not added to the history: call {@link #accept} once it is committed.
     *
     * @throws IllegalArgumentException if a logit is NaN or +∞ after bias and penalties (a bug upstream)
     * @throws LlmoptException if every token is banned (−∞) by the logit bias
     */
    public int sample(float[] logits, int vocabSize) {
        if (vocabSize < 1 || vocabSize > capacity || vocabSize > logits.length) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " must be in [1, min(" + capacity
                    + ", logits.length = " + logits.length + ")]");
        }
        float[] w = work;
        System.arraycopy(logits, 0, w, 0, vocabSize);
        for (int i = 0; i < biasTokens.length; i++) {
            if (biasTokens[i] < vocabSize) {
                w[biasTokens[i]] += biasValues[i];
            }
        }
        if (history != null) {
            history.apply(w, vocabSize);
        }
        int best = checkedArgmax(logits, vocabSize);
        if (params.isGreedy()) {
            lastGreedyToken = best;
            return best;
        }
        lastGreedyToken = -1;
        int survivors = truncate(vocabSize, w[best]);
        return draw(w, survivors, w[best]);
    }

    /** First index of the largest entry of work[0..n); rejects NaN and +∞, and a vocabulary banned entirely. */
    private int checkedArgmax(float[] rawLogits, int n) {
        float[] w = work;
        int best = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float x = w[i];
            if (x > max) {
                if (x == Float.POSITIVE_INFINITY) {
                    throw badLogit(rawLogits, i, x);
                }
                max = x;
                best = i;
            } else if (x != x) {
                throw badLogit(rawLogits, i, x);
            }
        }
        if (best < 0) {
            throw new LlmoptException("every token is banned: all logits are -Infinity after logit_bias and penalties");
        }
        return best;
    }

    /**
     * Top-k, top-p, min-p on work[0..n). Returns the number of survivors: tokens ids[0..count) when {@link #listed},
     * else all tokens 0..n-1 (nothing was truncated, ids[] untouched). Every step keeps the best token, so
     * {@code max} stays the largest surviving logit throughout.
     */
    private int truncate(int n, float max) {
        float[] w = work;
        int count = n;
        listed = false;
        int topK = params.topK();
        if (topK > 0 && topK < n) {
            count = TokenHeap.selectTop(w, n, topK, ids);
            listed = true;
        }
        if (params.topP() < 1) {
            count = listed ? nucleusOfSorted(w, count, max) : nucleusByBuckets(w, n, max);
            listed = true;
        }
        if (lnMinP != Float.NEGATIVE_INFINITY) {
            float threshold = max + lnMinP;
            int kept = 0;
            if (listed) {
                for (int i = 0; i < count; i++) {
                    int t = ids[i];
                    if (w[t] >= threshold) {
                        ids[kept++] = t;
                    }
                }
            } else {
                for (int t = 0; t < n; t++) {
                    if (w[t] >= threshold) {
                        ids[kept++] = t;
                    }
                }
                listed = true;
            }
            count = kept;
        }
        return count;
    }

    /** Temperature, then one draw. Overwrites each survivor's entry of work with its unnormalised weight. */
    private int draw(float[] w, int count, float max) {
        double temperature = params.temperature();
        boolean byId = listed;
        double sum = 0;
        for (int i = 0; i < count; i++) {
            int t = byId ? ids[i] : i;
            float weight = (float) Exp.ofNonPositive((w[t] - (double) max) / temperature);
            w[t] = weight;
            sum += weight;
        }
        lastCount = count;
        lastSum = sum;
        // Strict '>' and u < 1 mean a zero-weight (banned or underflowed) token is never chosen.
        double target = random.nextDouble() * sum;
        double cumulative = 0;
        int lastPositive = -1;
        for (int i = 0; i < count; i++) {
            int t = byId ? ids[i] : i;
            float weight = w[t];
            if (weight > 0) {
                cumulative += weight;
                lastPositive = t;
                if (cumulative > target) {
                    return t;
                }
            }
        }
        return lastPositive; // only reachable through rounding in the last place of the sum
    }

    /** Top-p over ids[0..count), already sorted best first: returns how many to keep (at least 1). */
    private int nucleusOfSorted(float[] w, int count, float max) {
        double sum = 0;
        for (int i = 0; i < count; i++) {
            sum += Exp.ofNonPositive(w[ids[i]] - (double) max);
        }
        double target = params.topP() * sum;
        double cumulative = 0;
        for (int i = 0; i < count; i++) {
            cumulative += Exp.ofNonPositive(w[ids[i]] - (double) max);
            if (cumulative >= target) {
                return i + 1;
            }
        }
        return count;
    }

    /**
     * Top-p over all tokens 0..n-1 without sorting them. One pass spreads the tokens into buckets by distance below the
     * max logit (bucketing is monotone, so a lower bucket only holds better-ranked tokens) and sums each bucket's
     * probability mass; buckets above the one where the cumulative mass reaches the target are kept whole, and only
     * that boundary bucket is ranked exactly, with a heap. The kept set equals "sort everything, take the prefix".
     * The nucleus ends up in ids[0..returned).
     */
    private int nucleusByBuckets(float[] w, int n, float max) {
        double[] mass = bucketMass;
        int[] count = bucketCount;
        Arrays.fill(mass, 0);
        Arrays.fill(count, 0);
        double sum = 0;
        for (int t = 0; t < n; t++) {
            double weight = Exp.ofNonPositive(w[t] - (double) max);
            int b = bucketOf(w[t], max);
            mass[b] += weight;
            count[b]++;
            sum += weight;
        }
        double target = params.topP() * sum;
        double cumulative = 0;
        int boundary = NUCLEUS_BUCKETS - 1;
        int sure = 0; // tokens in buckets before the boundary
        for (int b = 0; b < NUCLEUS_BUCKETS; b++) {
            if (cumulative + mass[b] >= target) {
                boundary = b;
                break;
            }
            cumulative += mass[b];
            sure += count[b];
        }
        int kept = 0;
        int end = sure;
        for (int t = 0; t < n; t++) {
            int b = bucketOf(w[t], max);
            if (b < boundary) {
                ids[kept++] = t;
            } else if (b == boundary) {
                ids[end++] = t;
            }
        }
        TokenHeap.buildBestFirst(w, ids, sure, end);
        int remaining = end;
        while (remaining > sure) {
            int t = TokenHeap.popBest(w, ids, sure, remaining--);
            cumulative += Exp.ofNonPositive(w[t] - (double) max);
            if (cumulative >= target) {
                break;
            }
        }
        int popped = end - remaining;
        System.arraycopy(ids, remaining, ids, sure, popped);
        return sure + popped;
    }

    /** Monotone in the logit: 0 for the max, then one bucket per 1/BUCKETS_PER_NAT below it; the last takes the rest. */
    private static int bucketOf(float logit, float max) {
        double below = (max - (double) logit) * BUCKETS_PER_NAT;
        return below < NUCLEUS_BUCKETS - 1 ? (int) below : NUCLEUS_BUCKETS - 1;
    }

    /**
     * Size of the distribution the last {@link #sample} drew from (llama.cpp's "post-sampling probs"): the tokens
     * that survived truncation. It may include tokens of probability 0 (banned, or underflowed at low temperature).
     * For greedy sampling it is the single chosen token with probability 1. Valid until the next sample or reset.
     */
    public int candidateCount() {
        return lastGreedyToken >= 0 ? 1 : lastCount;
    }

    /** The i-th surviving token of the last draw, 0 ≤ i &lt; {@link #candidateCount()}; order unspecified. */
    public int candidateToken(int i) {
        if (i < 0 || i >= candidateCount()) {
            throw new IndexOutOfBoundsException("candidate " + i + " of " + candidateCount());
        }
        if (lastGreedyToken >= 0) {
            return lastGreedyToken;
        }
        return listed ? ids[i] : i;
    }

    /** The probability the last draw gave {@link #candidateToken(int) candidateToken(i)}. */
    public float candidateProbability(int i) {
        int token = candidateToken(i);
        return lastGreedyToken >= 0 ? 1f : (float) (work[token] / lastSum);
    }

    private static IllegalArgumentException badLogit(float[] logits, int token, float value) {
        return new IllegalArgumentException("logit of token " + token + " is " + value
                + " after logit_bias and penalties (raw logit " + logits[token] + "): logits must be finite or -Infinity");
    }
}
