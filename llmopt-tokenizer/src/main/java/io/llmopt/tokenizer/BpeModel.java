package io.llmopt.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Rank-based BPE over one pre-tokenized word (HF tokenizers' {@code BPE} model, llama.cpp's
 * {@code llm_tokenizer_bpe_session}): start from one symbol per character, repeatedly merge the adjacent pair with
 * the lowest merge rank (leftmost on ties) until no pair merges.
 *
 * <p>Characters missing from the vocabulary become their UTF-8 bytes as {@code <0xXX>} tokens when
 * {@code byteFallback} is set, else the unknown token (consecutive unknowns fused when {@code fuseUnknown}), else
 * they are dropped. With {@code ignoreMerges} (Llama-3) a word that is itself a vocabulary entry is emitted whole.
 */
final class BpeModel {
    private final Vocabulary vocabulary;
    private final MergeTable merges;
    private final boolean byteFallback;
    private final int unknownId;
    private final boolean fuseUnknown;
    private final boolean ignoreMerges;

    BpeModel(Vocabulary vocabulary, MergeTable merges, boolean byteFallback, int unknownId, boolean fuseUnknown,
            boolean ignoreMerges) {
        this.vocabulary = vocabulary;
        this.merges = merges;
        this.byteFallback = byteFallback;
        this.unknownId = unknownId;
        this.fuseUnknown = fuseUnknown;
        this.ignoreMerges = ignoreMerges;
    }

    MergeTable merges() {
        return merges;
    }

    boolean byteFallback() {
        return byteFallback;
    }

    /** The unknown token's id, or -1. */
    int unknownId() {
        return unknownId;
    }

    boolean fuseUnknown() {
        return fuseUnknown;
    }

    boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** The merges as (left piece, right piece) pairs in rank order. */
    List<String[]> mergePairs() {
        List<long[]> byRank = new ArrayList<>();
        merges.forEach((left, right, rank, merged) -> byRank.add(new long[] {rank, left, right}));
        byRank.sort(Comparator.comparingLong(m -> m[0]));
        List<String[]> out = new ArrayList<>(byRank.size());
        for (long[] m : byRank) {
            out.add(new String[] {vocabulary.piece((int) m[1]), vocabulary.piece((int) m[2])});
        }
        return out;
    }

    void encodeWord(String word, IntList out) {
        if (word.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            int whole = vocabulary.id(word);
            if (whole >= 0) {
                out.add(whole);
                return;
            }
        }
        int n = word.length();
        int[] ids = new int[Math.max(4, n * 4)];
        int count = 0;
        for (int i = 0; i < n; ) {
            int cp = word.codePointAt(i);
            int len = Character.charCount(cp);
            int id = vocabulary.id(word, i, i + len);
            i += len;
            if (id >= 0) {
                ids[count++] = id;
                continue;
            }
            if (byteFallback) {
                byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                boolean all = true;
                for (byte b : bytes) {
                    all &= vocabulary.byteId(b & 0xFF) >= 0;
                }
                if (all) {
                    for (byte b : bytes) {
                        ids[count++] = vocabulary.byteId(b & 0xFF);
                    }
                    continue;
                }
            }
            if (unknownId >= 0 && !(fuseUnknown && count > 0 && ids[count - 1] == unknownId)) {
                ids[count++] = unknownId;
            }
        }
        merge(ids, count, out);
    }

    /** Heap keys: (rank << 32 | position of the left symbol); stale entries are detected by re-reading the pair. */
    private void merge(int[] ids, int count, IntList out) {
        if (count == 0) {
            return;
        }
        int[] next = new int[count];
        int[] prev = new int[count];
        boolean[] dead = new boolean[count];
        for (int i = 0; i < count; i++) {
            next[i] = i + 1 < count ? i + 1 : -1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap();
        for (int i = 0; i + 1 < count; i++) {
            push(ids, i, i + 1, heap);
        }
        while (!heap.isEmpty()) {
            long key = heap.pop();
            int left = (int) key;
            int rank = (int) (key >>> 32);
            int right = next[left];
            if (dead[left] || right < 0) {
                continue;
            }
            long merge = merges.get(ids[left], ids[right]);
            if (merge < 0 || (int) (merge >>> 32) != rank) {
                continue;
            }
            ids[left] = (int) merge;
            dead[right] = true;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            if (prev[left] >= 0) {
                push(ids, prev[left], left, heap);
            }
            if (next[left] >= 0) {
                push(ids, left, next[left], heap);
            }
        }
        for (int i = 0; i != -1; i = next[i]) {
            out.add(ids[i]);
        }
    }

    private void push(int[] ids, int left, int right, LongHeap heap) {
        long merge = merges.get(ids[left], ids[right]);
        if (merge >= 0) {
            heap.push((merge & 0xFFFFFFFF00000000L) | left);
        }
    }
}
