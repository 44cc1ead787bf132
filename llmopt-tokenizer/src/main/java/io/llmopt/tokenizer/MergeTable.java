package io.llmopt.tokenizer;

/**
 * BPE merge ranks keyed by the id pair: (left id, right id) → (rank, merged id), in an open-addressing table of
 * primitive longs (a 280 K-merge vocabulary stays at a few MB and lookups do not box).
 */
final class MergeTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final long[] values;
    private final int mask;
    private int size;

    MergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        mask = capacity - 1;
        java.util.Arrays.fill(keys, EMPTY);
    }

    int size() {
        return size;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    /** Adds a merge unless the pair already has one (the first, lowest rank wins, as llama.cpp's emplace). */
    void putIfAbsent(int left, int right, int rank, int mergedId) {
        long k = key(left, right);
        int i = slot(k);
        while (keys[i] != EMPTY) {
            if (keys[i] == k) {
                return;
            }
            i = (i + 1) & mask;
        }
        keys[i] = k;
        values[i] = ((long) rank << 32) | (mergedId & 0xFFFFFFFFL);
        size++;
    }

    /** Receives one merge of {@link #forEach}. */
    @FunctionalInterface
    interface MergeVisitor {
        void visit(int left, int right, int rank, int mergedId);
    }

    /** Every merge, in table order (not rank order). */
    void forEach(MergeVisitor visitor) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                visitor.visit((int) (keys[i] >>> 32), (int) keys[i], (int) (values[i] >>> 32), (int) values[i]);
            }
        }
    }

    /** (rank << 32 | merged id) of the pair, or -1 when the pair does not merge. */
    long get(int left, int right) {
        long k = key(left, right);
        int i = slot(k);
        while (keys[i] != EMPTY) {
            if (keys[i] == k) {
                return values[i];
            }
            i = (i + 1) & mask;
        }
        return -1L;
    }
}
