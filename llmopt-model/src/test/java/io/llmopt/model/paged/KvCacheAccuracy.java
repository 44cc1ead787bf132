package io.llmopt.model.paged;

import io.llmopt.model.loader.LoadedModel;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.util.Arrays;
import java.util.SplittableRandom;
import static org.assertj.core.api.Assertions.assertThat;

/** Accuracy of a quantized or half-precision paged KV cache against the f32 one, shared by the cache-type tests. */
final class KvCacheAccuracy {
    private KvCacheAccuracy() {
    }

    /**
     * Prefill 12 tokens in two chunks, then 60 greedy steps fed with the f32 cache's tokens on both caches: every
     * step's logits within {@code bound} of the f32 cache's, and at most {@code maxFlips} steps whose greedy token
     * differs, each where the f32 cache's top two logits are within {@code bound} of each other.
     */
    static void compareToF32(LoadedModel m, KvCacheType type, WorkerPool pool, float bound, int maxFlips) {
        Kernels kernels = KernelProvider.get();
        int vocab = m.config().vocabSize();
        int context = 80;
        int blockSize = 8;
        int[] table = PagedForwardTest.scatteredTable(context, blockSize, 16, 9);
        PagedKvCache full = new PagedKvCache(m.config(), 16, blockSize, KvCacheType.F32);
        PagedKvCache other = new PagedKvCache(m.config(), 16, blockSize, type);
        PagedForward fullFwd = new PagedForward(m.config(), m.weights(), kernels, pool, context, 16, 1);
        PagedForward otherFwd = new PagedForward(m.config(), m.weights(), kernels, pool, context, 16, 1);
        SequenceBatch batch = new SequenceBatch(16, 1);
        int[] tokens = new int[context];
        int[] prompt = new SplittableRandom(4).ints(12, 1, vocab).toArray();
        System.arraycopy(prompt, 0, tokens, 0, prompt.length);
        int pos = 0;
        int len = prompt.length;
        double worst = 0;
        double range = 0;
        int flips = 0;
        int[] chunks = {7, 5};
        for (int step = 0; pos < 72; step++) {
            int count = step < chunks.length ? chunks[step] : 1;
            batch.clear();
            batch.addSequence(table, tokens, pos, count, pos, true);
            float[] a = Arrays.copyOf(fullFwd.forward(full, batch), vocab);
            float[] b = Arrays.copyOf(otherFwd.forward(other, batch), vocab);
            pos += count;
            if (pos < len) {
                continue;
            }
            double diff = 0;
            for (int i = 0; i < vocab; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
                range = Math.max(range, Math.abs(a[i]));
            }
            worst = Math.max(worst, diff);
            assertThat(diff).as("max |Δlogit| at position %d", pos).isLessThanOrEqualTo(bound);
            int ta = argmax(a);
            int tb = argmax(b);
            if (tb != ta) {
                flips++;
                System.out.printf("%s vs f32 KV cache: greedy token differs at position %d (%d vs %d, f32 logit margin %.3g)%n",
                        type, pos, ta, tb, a[ta] - a[tb]);
                // a near-tie may flip; a token the f32 cache prefers by more than the logit bound may not
                assertThat((double) a[ta] - a[tb]).as("f32 logit margin of a flipped token at position %d", pos).isLessThanOrEqualTo(bound);
            }
            tokens[len++] = ta;
        }
        int steps = len - prompt.length;
        System.out.printf("%s vs f32 KV cache, %s (head dim %d): %d of %d greedy tokens identical, max |Δlogit| = %.3g (max |logit| %.1f)%n",
                type, m.config().architecture(), m.config().headDim(), steps - flips, steps, worst, range);
        assertThat(flips).as("greedy steps whose token differs from the f32 cache's").isLessThanOrEqualTo(maxFlips);
    }

    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
