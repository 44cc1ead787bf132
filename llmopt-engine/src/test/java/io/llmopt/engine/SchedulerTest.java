package io.llmopt.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.model.sampling.SamplingParams;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The scheduler alone, with sequences advanced by hand (no model). */
class SchedulerTest {
    private static final int BS = 4;

    private static Sequence seq(long id, int promptLength, int maxTokens) {
        int[] prompt = new int[promptLength];
        for (int i = 0; i < promptLength; i++) {
            prompt[i] = (int) (id * 100 + i);
        }
        return new Sequence(id, new EngineRequest(prompt, maxTokens, SamplingParams.greedy(), List.of(), -1, false),
                null, null, BS);
    }

    /** What the engine does after the forward pass: advance, register blocks, append a token when sampled. */
    private static void advance(Scheduler s, BlockPool pool) {
        for (int i = 0; i < s.planSize; i++) {
            Sequence q = s.planSeqs[i];
            q.computed += s.planTokens[i];
            q.registerFullBlocks(pool);
            if (q.computed == q.length) {
                q.append(7);
                q.generated++;
            }
        }
    }

    private static int planned(Scheduler s) {
        int sum = 0;
        for (int i = 0; i < s.planSize; i++) {
            sum += s.planTokens[i];
        }
        return sum;
    }

    @Test
    void respectsTheTokenBudgetAndChunksLongPrompts() {
        BlockPool pool = new BlockPool(64, BS);
        Scheduler s = new Scheduler(pool, 8, 10, true);
        Sequence a = seq(1, 25, 5);
        s.waiting.add(a);
        s.schedule();
        assertThat(s.planSize).isEqualTo(1);
        assertThat(s.planTokens[0]).isEqualTo(10);
        assertThat(a.numBlocks).isEqualTo(3);
        advance(s, pool);
        s.schedule();
        assertThat(s.planTokens[0]).isEqualTo(10);
        advance(s, pool);
        s.schedule();
        assertThat(s.planTokens[0]).isEqualTo(5); // the rest of the prompt
        advance(s, pool);
        assertThat(a.generated).isEqualTo(1);
    }

    @Test
    void decodeTokensComeBeforePrefillChunks() {
        BlockPool pool = new BlockPool(64, BS);
        Scheduler s = new Scheduler(pool, 8, 8, false);
        Sequence[] decoding = {seq(1, 3, 10), seq(2, 2, 10), seq(3, 4, 10)};
        for (Sequence q : decoding) {
            s.waiting.add(q);
        }
        s.schedule(); // 3 + 2 + 3 of the third (budget 8)
        assertThat(planned(s)).isEqualTo(8);
        advance(s, pool);
        Sequence late = seq(4, 40, 3);
        s.waiting.add(late);
        for (int step = 0; step < 5; step++) {
            s.schedule();
            assertThat(planned(s)).isLessThanOrEqualTo(8);
            for (int i = 0; i < s.planSize; i++) {
                if (s.planSeqs[i] != late && s.planSeqs[i].computed >= s.planSeqs[i].promptLength) {
                    assertThat(s.planTokens[i]).as("decode token of seq %d", s.planSeqs[i].id).isEqualTo(1);
                }
            }
            // every decoding sequence got its token in every step, the long prompt only the rest of the budget
            assertThat(java.util.Arrays.asList(s.planSeqs).subList(0, s.planSize)).contains(decoding);
            advance(s, pool);
        }
        assertThat(late.computed).isEqualTo(5 * (8 - 3)); // 25 of its 40 prompt tokens in 5 steps
    }

    @Test
    void preemptsTheNewestSequenceWhenBlocksRunOutAndReadmitsItFirst() {
        BlockPool pool = new BlockPool(6, BS); // 24 positions
        Scheduler s = new Scheduler(pool, 4, 64, false);
        Sequence a = seq(1, 8, 12);
        Sequence b = seq(2, 8, 12);
        s.waiting.add(a);
        s.waiting.add(b);
        s.schedule();
        advance(s, pool);
        assertThat(pool.freeBlocks()).isEqualTo(2);
        int preemptedAt = -1;
        for (int step = 0; step < 12 && preemptedAt < 0; step++) {
            s.schedule();
            if (s.preemptions > 0) {
                preemptedAt = step;
            }
            advance(s, pool);
        }
        assertThat(s.preemptions).isEqualTo(1);
        assertThat(s.running).containsExactly(a);
        assertThat(s.waiting.peekFirst()).isSameAs(b);
        assertThat(b.numBlocks).isZero();
        assertThat(b.computed).isZero();
        assertThat(b.length).isGreaterThan(8); // its generated tokens are kept for the recomputation
        // a runs to the end, then b is re-prefilled (prompt + generated) and continues
        while (a.generated < 12) {
            s.schedule();
            advance(s, pool);
        }
        a.releaseBlocks(pool);
        s.remove(a);
        int bLength = b.length;
        s.schedule();
        assertThat(s.planSeqs[0]).isSameAs(b);
        assertThat(s.planTokens[0]).isEqualTo(bLength);
        advance(s, pool);
        b.releaseBlocks(pool);
        s.remove(b);
        assertThat(pool.freeBlocks()).isEqualTo(6);
    }

    @Test
    void prefixCacheHitKeepsTheLastTokenToCompute() {
        BlockPool pool = new BlockPool(16, BS);
        Scheduler s = new Scheduler(pool, 4, 64, true);
        Sequence a = seq(1, 12, 2);
        s.waiting.add(a);
        s.schedule();
        advance(s, pool);
        a.releaseBlocks(pool);
        s.remove(a);
        assertThat(pool.cachedFreeBlocks()).isEqualTo(3);
        Sequence same = seq(1, 12, 2); // identical prompt: 3 full blocks cached, but the last token must run
        s.waiting.add(same);
        s.schedule();
        assertThat(same.cachedPromptTokens).isEqualTo(8);
        assertThat(s.planTokens[0]).isEqualTo(4);
        assertThat(s.prefixHitTokens).isEqualTo(8);
        advance(s, pool);
        same.releaseBlocks(pool);
        assertThat(pool.freeBlocks()).isEqualTo(16);
    }
}
