package io.llmopt.engine;

import io.llmopt.tensor.LlmoptException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The KV blocks of the paged cache as the scheduler sees them: ids with reference counts, a free list in eviction
 * order and, for prefix caching, a map from chained block hashes to blocks (the vLLM block pool).
 *
 * <ul>
 *   <li>A block is <em>used</em> while its reference count is positive (several sequences may share a cached
 *       prefix block); at zero it goes to the tail of the free list.
 *   <li>A free block may still hold a <em>cached</em> full block (its hash is in the map): {@link #lookup} finds it
 *       and {@link #acquire} takes it back out of the free list. {@link #allocate} takes the head of the free list
 *       (least recently freed first) and forgets whatever it cached.
 *   <li>The hash of full block i is hash(hash of block i−1, its token ids); the block also keeps its parent hash
 *       and tokens, so a lookup is verified exactly and a 64-bit collision can never hand out wrong keys/values.
 * </ul>
 * Used by the engine thread only: not thread-safe.
 */
final class BlockPool {
    /** Parent hash of the first block of a sequence. */
    static final long ROOT_HASH = 0x6C6C6D6F70744B56L;
    private static final int NONE = -1;

    private final int numBlocks;
    private final int blockSize;
    private final int[] refCount;
    private final int[] prev;
    private final int[] next;
    private final boolean[] isFree;
    private int head = NONE;
    private int tail = NONE;
    private int freeCount;

    private final boolean[] hashed;
    private final long[] hash;
    private final long[] parentHash;
    private final int[] tokens; // [numBlocks][blockSize]
    private final Map<Long, Integer> cached = new HashMap<>();
    private int cachedFree;

    BlockPool(int numBlocks, int blockSize) {
        if (numBlocks <= 0 || blockSize <= 0) {
            throw new LlmoptException("kv-cache-blocks and block-size must be positive, got " + numBlocks + " and " + blockSize);
        }
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.refCount = new int[numBlocks];
        this.prev = new int[numBlocks];
        this.next = new int[numBlocks];
        this.isFree = new boolean[numBlocks];
        this.hashed = new boolean[numBlocks];
        this.hash = new long[numBlocks];
        this.parentHash = new long[numBlocks];
        this.tokens = new int[Math.multiplyExact(numBlocks, blockSize)];
        for (int b = 0; b < numBlocks; b++) {
            append(b);
        }
    }

    int numBlocks() {
        return numBlocks;
    }

    int blockSize() {
        return blockSize;
    }

    /** Blocks that {@link #allocate} can hand out now (free, whether or not they hold cached content). */
    int freeBlocks() {
        return freeCount;
    }

    int usedBlocks() {
        return numBlocks - freeCount;
    }

    /** Free blocks that still hold a reusable full block. */
    int cachedFreeBlocks() {
        return cachedFree;
    }

    int refCount(int block) {
        return refCount[block];
    }

    /** The chained hash of a full block: hash(parent, token ids). */
    static long hash(long parent, int[] tokenIds, int from, int count) {
        long h = mix(parent ^ 0x9E3779B97F4A7C15L);
        for (int i = 0; i < count; i++) {
            h = mix(h + 0x9E3779B97F4A7C15L * (tokenIds[from + i] + 1L));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Takes the least recently freed block (evicting its cached content); returns −1 when none is free. */
    int allocate() {
        int b = head;
        if (b == NONE) {
            return NONE;
        }
        unlink(b);
        if (hashed[b]) {
            cached.remove(hash[b]);
            hashed[b] = false;
            cachedFree--;
        }
        refCount[b] = 1;
        return b;
    }

    /**
     * The cached block holding exactly the block {@code tokenIds[from .. from+blockSize)} after the chain
     * {@code parent}, or −1.
     */
    int lookup(long blockHash, long parent, int[] tokenIds, int from) {
        Integer b = cached.get(blockHash);
        if (b == null || parentHash[b] != parent
                || !Arrays.equals(tokens, b * blockSize, (b + 1) * blockSize, tokenIds, from, from + blockSize)) {
            return NONE;
        }
        return b;
    }

    /** One more reference to a block found by {@link #lookup} (taking it out of the free list if it was free). */
    void acquire(int block) {
        if (refCount[block]++ == 0) {
            unlink(block);
            if (hashed[block]) {
                cachedFree--;
            }
        }
    }

    /** Drops one reference; at zero the block joins the tail of the free list (evicted last). */
    void release(int block) {
        if (refCount[block] <= 0) {
            throw new IllegalStateException("block " + block + " released more often than acquired");
        }
        if (--refCount[block] == 0) {
            append(block);
            if (hashed[block]) {
                cachedFree++;
            }
        }
    }

    /**
     * Records that a used block now holds the full block {@code tokenIds[from .. from+blockSize)} with the given
     * chained hash, so later requests can reuse it. No-op when another block already caches that content.
     */
    void register(int block, long blockHash, long parent, int[] tokenIds, int from) {
        if (hashed[block] || cached.containsKey(blockHash)) {
            return;
        }
        hashed[block] = true;
        hash[block] = blockHash;
        parentHash[block] = parent;
        System.arraycopy(tokenIds, from, tokens, block * blockSize, blockSize);
        cached.put(blockHash, block);
    }

    /** Forgets every cached block (e.g. when the model's weights change); used blocks stay used. */
    void clearCache() {
        for (int b = 0; b < numBlocks; b++) {
            if (hashed[b]) {
                hashed[b] = false;
                if (refCount[b] == 0) {
                    cachedFree--;
                }
            }
        }
        cached.clear();
    }

    /** Free block ids from the next to be evicted to the last (for tests). */
    int[] freeOrder() {
        int[] out = new int[freeCount];
        int i = 0;
        for (int b = head; b != NONE; b = next[b]) {
            out[i++] = b;
        }
        return out;
    }

    private void append(int b) {
        prev[b] = tail;
        next[b] = NONE;
        if (tail == NONE) {
            head = b;
        } else {
            next[tail] = b;
        }
        tail = b;
        isFree[b] = true;
        freeCount++;
    }

    private void unlink(int b) {
        if (!isFree[b]) {
            throw new IllegalStateException("block " + b + " is not free");
        }
        if (prev[b] == NONE) {
            head = next[b];
        } else {
            next[prev[b]] = next[b];
        }
        if (next[b] == NONE) {
            tail = prev[b];
        } else {
            prev[next[b]] = prev[b];
        }
        isFree[b] = false;
        freeCount--;
    }
}
