package io.llmopt.model.sampling;

/**
 * Binary-heap selection of token ids by logit, in place over caller-owned {@code int[]} scratch, allocation-free.
 *
 * <p>The ranking is a total order, so every selection is deterministic: token a ranks before token b when
 * {@code logits[a] > logits[b]}, or when they are equal and {@code a < b} (ties go to the lower id, as greedy
 * argmax does). NaN logits break the order; callers reject them first.
 */
final class TokenHeap {
    private TokenHeap() {
    }

    static boolean ranksBefore(float[] logits, int a, int b) {
        float la = logits[a];
        float lb = logits[b];
        return la > lb || (la == lb && a < b);
    }

    /**
     * Writes the min(k, n) best of tokens 0..n-1 into {@code out[0..)}, best first, and returns how many.
     * A bounded heap with the worst kept token at its root: O(n log k) at worst, O(n) when most tokens lose
     * against the root at once, which is the usual case for logits.
     */
    static int selectTop(float[] logits, int n, int k, int[] out) {
        int size = Math.min(k, n);
        if (size <= 0) {
            return 0;
        }
        for (int i = 0; i < size; i++) {
            out[i] = i;
        }
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDownWorstFirst(logits, out, i, size);
        }
        for (int token = size; token < n; token++) {
            if (ranksBefore(logits, token, out[0])) {
                out[0] = token;
                siftDownWorstFirst(logits, out, 0, size);
            }
        }
        // Heapsort: moving the worst to the back each time leaves out[0..size) best first.
        for (int end = size - 1; end > 0; end--) {
            int t = out[0];
            out[0] = out[end];
            out[end] = t;
            siftDownWorstFirst(logits, out, 0, end);
        }
        return size;
    }

    /** Arranges ids[from..to) as a heap with the best-ranked token at index {@code from}. O(to − from). */
    static void buildBestFirst(float[] logits, int[] ids, int from, int to) {
        for (int i = from + (to - from) / 2 - 1; i >= from; i--) {
            siftDownBestFirst(logits, ids, from, i, to);
        }
    }

    /**
     * Removes the best token from the best-first heap ids[from..to), stores it at ids[to-1] and returns it; the heap
     * is then ids[from..to-1). Repeated calls therefore leave the popped tokens at the back, best last. O(log n).
     */
    static int popBest(float[] logits, int[] ids, int from, int to) {
        int best = ids[from];
        ids[from] = ids[to - 1];
        ids[to - 1] = best;
        siftDownBestFirst(logits, ids, from, from, to - 1);
        return best;
    }

    /** Sift-down in the heap heap[from..to), whose root is at {@code from} (children of i: from + 2(i−from) + 1, +2). */
    private static void siftDownBestFirst(float[] logits, int[] heap, int from, int i, int to) {
        int item = heap[i];
        while (true) {
            int child = 2 * i - from + 1;
            if (child >= to) {
                break;
            }
            if (child + 1 < to && ranksBefore(logits, heap[child + 1], heap[child])) {
                child++;
            }
            if (!ranksBefore(logits, heap[child], item)) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = item;
    }

    private static void siftDownWorstFirst(float[] logits, int[] heap, int i, int n) {
        int item = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && ranksBefore(logits, heap[child], heap[child + 1])) {
                child++;
            }
            if (!ranksBefore(logits, item, heap[child])) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = item;
    }
}
