package io.llmopt.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlockPoolTest {

    @Test
    void allocatesInOrderAndReturnsFreedBlocksToTheTail() {
        BlockPool pool = new BlockPool(4, 2);
        assertThat(pool.freeOrder()).containsExactly(0, 1, 2, 3);
        int a = pool.allocate();
        int b = pool.allocate();
        assertThat(a).isEqualTo(0);
        assertThat(b).isEqualTo(1);
        assertThat(pool.freeBlocks()).isEqualTo(2);
        pool.release(a);
        assertThat(pool.freeOrder()).containsExactly(2, 3, 0);
        pool.release(b);
        assertThat(pool.freeOrder()).containsExactly(2, 3, 0, 1);
        assertThat(pool.usedBlocks()).isZero();
        assertThat(pool.allocate()).isEqualTo(2);
    }

    @Test
    void runsOutAndNeverReleasesTwice() {
        BlockPool pool = new BlockPool(2, 4);
        int a = pool.allocate();
        pool.allocate();
        assertThat(pool.allocate()).isEqualTo(-1);
        pool.release(a);
        assertThatThrownBy(() -> pool.release(a)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void cachedBlocksAreSharedWithRefcountsAndEvictedLeastRecentlyFreedFirst() {
        BlockPool pool = new BlockPool(4, 2);
        int[] tokens = {5, 6, 7, 8};
        int b0 = pool.allocate();
        int b1 = pool.allocate();
        long h0 = BlockPool.hash(BlockPool.ROOT_HASH, tokens, 0, 2);
        long h1 = BlockPool.hash(h0, tokens, 2, 2);
        pool.register(b0, h0, BlockPool.ROOT_HASH, tokens, 0);
        pool.register(b1, h1, h0, tokens, 2);
        // a second sequence finds both and shares them
        assertThat(pool.lookup(h0, BlockPool.ROOT_HASH, tokens, 0)).isEqualTo(b0);
        assertThat(pool.lookup(h1, h0, tokens, 2)).isEqualTo(b1);
        pool.acquire(b0);
        assertThat(pool.refCount(b0)).isEqualTo(2);
        // the first sequence ends (tail first), the second still holds b0
        pool.release(b1);
        pool.release(b0);
        assertThat(pool.refCount(b0)).isEqualTo(1);
        assertThat(pool.cachedFreeBlocks()).isEqualTo(1);
        assertThat(pool.freeOrder()).containsExactly(2, 3, b1);
        pool.release(b0);
        assertThat(pool.cachedFreeBlocks()).isEqualTo(2);
        assertThat(pool.freeOrder()).containsExactly(2, 3, b1, b0);
        // still found while free; acquiring takes it out of the free list
        assertThat(pool.lookup(h1, h0, tokens, 2)).isEqualTo(b1);
        // allocation takes never-cached blocks first, then evicts b1 (freed before b0)
        pool.allocate();
        pool.allocate();
        assertThat(pool.allocate()).isEqualTo(b1);
        assertThat(pool.lookup(h1, h0, tokens, 2)).isEqualTo(-1);
        assertThat(pool.lookup(h0, BlockPool.ROOT_HASH, tokens, 0)).isEqualTo(b0);
        assertThat(pool.cachedFreeBlocks()).isEqualTo(1);
    }

    @Test
    void chainedHashesDependOnTheWholePrefixAndLookupsAreVerified() {
        int[] a = {1, 2, 3, 4};
        int[] b = {9, 2, 3, 4};
        long ha = BlockPool.hash(BlockPool.hash(BlockPool.ROOT_HASH, a, 0, 2), a, 2, 2);
        long hb = BlockPool.hash(BlockPool.hash(BlockPool.ROOT_HASH, b, 0, 2), b, 2, 2);
        assertThat(ha).isNotEqualTo(hb); // same second block, different parents
        BlockPool pool = new BlockPool(2, 2);
        int blk = pool.allocate();
        long h = BlockPool.hash(BlockPool.ROOT_HASH, a, 0, 2);
        pool.register(blk, h, BlockPool.ROOT_HASH, a, 0);
        // the same hash with other tokens (a forged collision) is not a hit
        assertThat(pool.lookup(h, BlockPool.ROOT_HASH, b, 0)).isEqualTo(-1);
        assertThat(pool.lookup(h, 42L, a, 0)).isEqualTo(-1);
        assertThat(pool.lookup(h, BlockPool.ROOT_HASH, a, 0)).isEqualTo(blk);
    }

    @Test
    void duplicateContentIsRegisteredOnce() {
        BlockPool pool = new BlockPool(3, 2);
        int[] t = {1, 2};
        long h = BlockPool.hash(BlockPool.ROOT_HASH, t, 0, 2);
        int x = pool.allocate();
        int y = pool.allocate();
        pool.register(x, h, BlockPool.ROOT_HASH, t, 0);
        pool.register(y, h, BlockPool.ROOT_HASH, t, 0);
        pool.release(x);
        pool.release(y);
        assertThat(pool.cachedFreeBlocks()).isEqualTo(1);
        assertThat(pool.lookup(h, BlockPool.ROOT_HASH, t, 0)).isEqualTo(x);
        pool.clearCache();
        assertThat(pool.cachedFreeBlocks()).isZero();
        assertThat(pool.freeBlocks()).isEqualTo(3);
    }
}
