package io.llmopt.tokenizer;

import java.util.Arrays;

/**
 * piece text → id, looked up by a char range of a larger string without allocating a substring: the merge loops
 * probe millions of candidate pairs on a 1 MB text. Open addressing over String.hashCode-compatible hashes; when two
 * ids share a piece the later id wins (llama.cpp's {@code token_to_id} map).
 */
final class PieceIndex {
    private final String[] keys;
    private final int[] ids;
    private final int mask;

    PieceIndex(String[] pieces) {
        int capacity = Integer.highestOneBit(Math.max(16, pieces.length * 2 - 1)) << 1;
        keys = new String[capacity];
        ids = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(ids, -1);
        for (int id = 0; id < pieces.length; id++) {
            String p = pieces[id];
            if (p == null) {
                continue;
            }
            int slot = p.hashCode() & mask;
            while (keys[slot] != null && !keys[slot].equals(p)) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = p;
            ids[slot] = id;
        }
    }

    /** The id of {@code text[start, end)}, or -1. */
    int id(String text, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + text.charAt(i);
        }
        int len = end - start;
        for (int slot = h & mask; keys[slot] != null; slot = (slot + 1) & mask) {
            String k = keys[slot];
            if (k.length() == len && k.regionMatches(0, text, start, len)) {
                return ids[slot];
            }
        }
        return -1;
    }
}
