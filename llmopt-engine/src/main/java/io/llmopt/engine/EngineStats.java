package io.llmopt.engine;

/**
 * A snapshot of engine state and counters since start.
 *
 * @param waiting             requests queued, not yet running
 * @param running             sequences in the batch
 * @param kvBlocksTotal       blocks in the pool
 * @param kvBlocksUsed        blocks referenced by running sequences (cached-but-free blocks are not used)
 * @param kvBlocksCached      free blocks still holding reusable prefix content
 * @param prefixQueriedTokens prompt tokens looked up in the prefix cache
 * @param prefixHitTokens     of those, tokens whose KV was reused
 * @param preemptions         sequences preempted (recomputed later) because blocks ran out
 * @param steps               step() calls that ran the model
 * @param promptTokens        prompt tokens computed (not counting prefix hits)
 * @param generatedTokens     tokens generated
 */
public record EngineStats(int waiting, int running, int kvBlocksTotal, int kvBlocksUsed, int kvBlocksCached,
        long prefixQueriedTokens, long prefixHitTokens, long preemptions, long steps, long promptTokens,
        long generatedTokens) {

    public double prefixHitRate() {
        return prefixQueriedTokens == 0 ? 0 : (double) prefixHitTokens / prefixQueriedTokens;
    }
}
