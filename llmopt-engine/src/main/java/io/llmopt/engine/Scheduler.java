package io.llmopt.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Continuous batching: decides, before every step, which sequences run and how many of their tokens, and
 * reserves the blocks they will write. It sees sequences and block ids only, never the model.
 *
 * <ol>
 *   <li><b>Decode first</b>: every running sequence gets one token (for a sequence still in prefill, the first
 *       token of its next chunk). When the pool has no block for it, the most recently admitted running sequence
 *       is <em>preempted by recomputation</em>: its blocks are freed and it goes back to the head of the waiting
 *       queue with its generated tokens kept, to be prefilled again (prompt + generated) later.
 *   <li><b>Chunked prefill</b>: sequences still in prefill extend their chunk with the remaining token budget
 *       (maxBatchedTokens), in admission order, as far as free blocks allow (no preemption for prefill).
 *   <li><b>Admission</b>: waiting sequences join, in order, while the budget, maxNumSeqs and free blocks allow;
 *       with prefix caching a new sequence first takes the cached full blocks of its longest matching prefix. Nobody
 *       is admitted in a step that preempted.
 * </ol>
 * The plan is {@code planSeqs[i]} running {@code planTokens[i]} tokens from its {@code computed} position.
 * Engine thread only.
 */
final class Scheduler {
    final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    final List<Sequence> running = new ArrayList<>();
    final Sequence[] planSeqs;
    final int[] planTokens;
    int planSize;

    long preemptions;
    long prefixQueriedTokens;
    long prefixHitTokens;

    private final BlockPool pool;
    private final int maxNumSeqs;
    private final int maxBatchedTokens;
    private final boolean prefixCaching;

    Scheduler(BlockPool pool, int maxNumSeqs, int maxBatchedTokens, boolean prefixCaching) {
        this.pool = pool;
        this.maxNumSeqs = maxNumSeqs;
        this.maxBatchedTokens = maxBatchedTokens;
        this.prefixCaching = prefixCaching;
        this.planSeqs = new Sequence[maxNumSeqs];
        this.planTokens = new int[maxNumSeqs];
    }

    boolean idle() {
        return running.isEmpty() && waiting.isEmpty();
    }

    /** Fills the plan for the next step; planSize is 0 only when nothing can run. */
    void schedule() {
        java.util.Arrays.fill(planSeqs, 0, planSize, null);
        planSize = 0;
        int budget = maxBatchedTokens;
        long preemptionsBefore = preemptions;
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            boolean preemptedSelf = false;
            while (!s.ensureBlocks(pool, s.computed + 1)) {
                Sequence victim = running.removeLast();
                preempt(victim);
                if (victim == s) {
                    preemptedSelf = true;
                    break;
                }
            }
            if (preemptedSelf) {
                break;
            }
            planSeqs[planSize] = s;
            planTokens[planSize++] = 1;
            budget--;
        }
        for (int i = 0; i < planSize && budget > 0; i++) {
            Sequence s = planSeqs[i];
            int extra = fit(s, planTokens[i], Math.min(s.remaining() - planTokens[i], budget));
            planTokens[i] += extra;
            budget -= extra;
        }
        // no admission in a step that had to preempt: the victim would come straight back and thrash
        while (budget > 0 && running.size() < maxNumSeqs && !waiting.isEmpty() && preemptions == preemptionsBefore) {
            Sequence s = waiting.peekFirst();
            int hit = 0;
            if (prefixCaching && s.numBlocks == 0) {
                hit = s.matchPrefix(pool);
            }
            int n = fit(s, 0, Math.min(s.remaining(), budget));
            if (n <= 0) {
                s.releaseBlocks(pool); // gives back the prefix blocks it just took
                break;
            }
            waiting.pollFirst();
            running.add(s);
            if (prefixCaching) {
                prefixQueriedTokens += s.length;
                prefixHitTokens += hit;
            }
            if (s.cachedPromptTokens < 0) {
                s.cachedPromptTokens = Math.min(hit, s.promptLength);
            }
            planSeqs[planSize] = s;
            planTokens[planSize++] = n;
            budget -= n;
        }
    }

    /**
     * How many of {@code wanted} more tokens (after {@code planned} already planned) the sequence's blocks plus the
     * free blocks can hold; reserves the blocks for them.
     */
    private int fit(Sequence s, int planned, int wanted) {
        if (wanted <= 0) {
            return 0;
        }
        int bs = pool.blockSize();
        int capacity = (s.numBlocks + pool.freeBlocks()) * bs - (s.computed + planned);
        int n = Math.min(wanted, capacity);
        if (n > 0 && !s.ensureBlocks(pool, s.computed + planned + n)) {
            throw new IllegalStateException("block accounting: " + n + " tokens should have fit");
        }
        return Math.max(0, n);
    }

    private void preempt(Sequence victim) {
        victim.releaseBlocks(pool);
        waiting.addFirst(victim);
        preemptions++;
    }

    /** Removes a sequence from wherever it is (finished, cancelled or failed). */
    void remove(Sequence s) {
        if (!running.remove(s)) {
            waiting.remove(s);
        }
    }
}
