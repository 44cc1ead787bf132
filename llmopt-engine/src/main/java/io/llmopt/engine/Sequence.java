package io.llmopt.engine;

import java.util.Arrays;

/**
 * One request inside the engine: its tokens (prompt, then generated), how many of them have keys/values in the
 * cache, its block table and the chained hashes of its full blocks. Owned by the engine thread; only
 * {@link #cancelRequested} is touched by other threads.
 *
 * <pre>
 * tokens[0 .. length)            prompt + generated (the last generated token is not computed yet)
 * computed                       positions 0 .. computed−1 are in blocks blockTable[0 .. numBlocks)
 * blockHash[i], i < hashedBlocks chained hash of full block i (registered in the pool or matched from it)
 * </pre>
 */
final class Sequence {
    final long id;
    final EngineRequest request;
    final TokenSink sink;
    final SequenceOutput output;
    final long submitNanos;
    final int promptLength;
    volatile boolean cancelRequested;

    int[] tokens;
    int length;
    int computed;
    int[] blockTable;
    int numBlocks;
    long[] blockHash;
    int hashedBlocks;
    int generated;
    int cachedPromptTokens = -1; // set at first admission
    long firstScheduledNanos = -1;
    long firstTokenNanos = -1;
    boolean finished;

    Sequence(long id, EngineRequest request, TokenSink sink, SequenceOutput output, int blockSize) {
        this.id = id;
        this.request = request;
        this.sink = sink;
        this.output = output;
        this.submitNanos = System.nanoTime();
        int[] prompt = request.promptTokens();
        this.promptLength = prompt.length;
        int capacity = prompt.length + request.maxTokens();
        this.tokens = Arrays.copyOf(prompt, capacity);
        this.length = prompt.length;
        int maxBlocks = (capacity + blockSize - 1) / blockSize;
        this.blockTable = new int[maxBlocks];
        this.blockHash = new long[maxBlocks];
    }

    /** Tokens still to run through the model before the next token can be sampled. */
    int remaining() {
        return length - computed;
    }

    void append(int token) {
        tokens[length++] = token;
    }

    /** Blocks needed to hold positions 0 .. positions−1. */
    static int blocksFor(int positions, int blockSize) {
        return (positions + blockSize - 1) / blockSize;
    }

    /** Hash of the chain up to (excluding) full block i. */
    long parentHash(int i) {
        return i == 0 ? BlockPool.ROOT_HASH : blockHash[i - 1];
    }

    /** Returns every block to the pool, last block first (so a sequence's tail is evicted before its prefix). */
    void releaseBlocks(BlockPool pool) {
        for (int i = numBlocks - 1; i >= 0; i--) {
            pool.release(blockTable[i]);
        }
        numBlocks = 0;
        computed = 0;
        hashedBlocks = 0;
    }

    /**
     * Adds blocks until positions 0 .. positions−1 fit; returns false (having added none) when the pool has too
     * few free blocks.
     */
    boolean ensureBlocks(BlockPool pool, int positions) {
        int need = blocksFor(positions, pool.blockSize()) - numBlocks;
        if (need <= 0) {
            return true;
        }
        if (need > pool.freeBlocks()) {
            return false;
        }
        for (int i = 0; i < need; i++) {
            blockTable[numBlocks++] = pool.allocate();
        }
        return true;
    }

    /**
     * Reuses the longest run of cached full blocks at the start of the tokens, keeping at least the last token to
     * compute (its logits are needed). Only for a sequence holding no blocks. Returns the positions reused.
     */
    int matchPrefix(BlockPool pool) {
        int bs = pool.blockSize();
        int full = (length - 1) / bs;
        int matched = 0;
        while (matched < full) {
            long parent = parentHash(matched);
            long h = BlockPool.hash(parent, tokens, matched * bs, bs);
            int b = pool.lookup(h, parent, tokens, matched * bs);
            if (b < 0) {
                break;
            }
            pool.acquire(b);
            blockTable[numBlocks++] = b;
            blockHash[matched] = h;
            matched++;
        }
        hashedBlocks = matched;
        computed = matched * bs;
        return computed;
    }

    /** Registers every newly completed full block with the pool (prefix caching). */
    void registerFullBlocks(BlockPool pool) {
        int bs = pool.blockSize();
        while ((hashedBlocks + 1) * bs <= computed) {
            int i = hashedBlocks;
            long parent = parentHash(i);
            long h = BlockPool.hash(parent, tokens, i * bs, bs);
            blockHash[i] = h;
            pool.register(blockTable[i], h, parent, tokens, i * bs);
            hashedBlocks++;
        }
    }
}
