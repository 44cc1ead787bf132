package io.llmopt.tokenizer.train;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.tokenizer.ByteLevel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Byte-level BPE training (Sennrich et al.; GPT-2's byte alphabet): the vocabulary starts as the special tokens and
 * the 256 bytes; while it is smaller than the target, the most frequent adjacent pair of symbols over all words
 * (weighted by word counts) is merged everywhere it occurs (left to right, non-overlapping) and becomes a token.
 *
 * <p>Efficiency: pair counts and, per pair, the words it occurs in are kept; a merge rewrites only those words and
 * applies the pair-count differences it causes. The best pair comes from a priority queue with lazy invalidation
 * (an entry whose count no longer matches the current count is dropped; every change pushes a fresh entry).
 * Ties are broken deterministically: higher count first, then the smaller left id, then the smaller right id (ids
 * grow with creation, so older symbols win). Training stops at the target size, when no pair is left, or when the
 * best pair occurs fewer than {@code minFrequency} times.
 */
public final class BpeTrainer {
    /**
     * @param vocabSize the target vocabulary size, special tokens and the 256 byte tokens included
     * @param minFrequency a pair must occur at least this often to be merged
     * @param specialTokens added tokens with ids 0 … n-1 (the first is BOS/EOS), never split or merged
     */
    public record Settings(int vocabSize, int minFrequency, List<String> specialTokens) {
        public Settings {
            specialTokens = List.copyOf(specialTokens);
        }
    }

    private record Candidate(long pair, long count) {
    }

    private final List<String> pieces = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private final Map<Long, long[]> pairCounts = new HashMap<>();
    private final Map<Long, List<Integer>> wordsOf = new HashMap<>();
    private final PriorityQueue<Candidate> queue = new PriorityQueue<>((x, y) -> x.count != y.count
            ? Long.compare(y.count, x.count) : Long.compare(x.pair, y.pair));
    private int[][] words;
    private long[] counts;

    private BpeTrainer() {
    }

    public static TrainedBpe train(WordCounts corpus, Settings settings) {
        return new BpeTrainer().run(corpus, settings);
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | right;
    }

    private TrainedBpe run(WordCounts corpus, Settings s) {
        int base = s.specialTokens().size() + 256;
        if (s.vocabSize() < base) {
            throw new LlmoptException("--vocab-size " + s.vocabSize() + " is smaller than the base alphabet: "
                    + s.specialTokens().size() + " special token(s) + 256 bytes = " + base);
        }
        if (s.minFrequency() < 1) {
            throw new LlmoptException("--min-frequency must be at least 1, got " + s.minFrequency());
        }
        for (String t : s.specialTokens()) {
            if (t.isEmpty() || ids.putIfAbsent(t, pieces.size()) != null) {
                throw new LlmoptException("special token '" + t + "' is empty or repeated");
            }
            pieces.add(t);
        }
        int firstByte = pieces.size();
        for (int b = 0; b < 256; b++) {
            String piece = String.valueOf(ByteLevel.charOf(b));
            if (ids.putIfAbsent(piece, pieces.size()) != null) {
                throw new LlmoptException("special token '" + piece + "' collides with a byte token");
            }
            pieces.add(piece);
        }
        words = new int[corpus.size()][];
        counts = new long[corpus.size()];
        for (int w = 0; w < words.length; w++) {
            byte[] bytes = corpus.word(w);
            words[w] = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                words[w][i] = firstByte + (bytes[i] & 0xFF);
            }
            counts[w] = corpus.count(w);
            for (int i = 0; i + 1 < words[w].length; i++) {
                long p = pair(words[w][i], words[w][i + 1]);
                pairCounts.computeIfAbsent(p, k -> new long[1])[0] += counts[w];
                List<Integer> list = wordsOf.computeIfAbsent(p, k -> new ArrayList<>());
                if (list.isEmpty() || list.getLast() != w) {
                    list.add(w);
                }
            }
        }
        pairCounts.forEach((p, c) -> queue.add(new Candidate(p, c[0])));

        List<String[]> merges = new ArrayList<>();
        List<Long> mergeCounts = new ArrayList<>();
        while (pieces.size() < s.vocabSize() && !queue.isEmpty()) {
            Candidate best = queue.poll();
            long[] current = pairCounts.get(best.pair);
            if (current == null || current[0] != best.count) {
                continue;
            }
            if (best.count < s.minFrequency()) {
                break;
            }
            int left = (int) (best.pair >>> 32);
            int right = (int) best.pair;
            String merged = pieces.get(left) + pieces.get(right);
            Integer id = ids.get(merged);
            if (id == null) {
                id = pieces.size();
                pieces.add(merged);
                ids.put(merged, id);
            }
            merges.add(new String[] {pieces.get(left), pieces.get(right)});
            mergeCounts.add(best.count);
            apply(best.pair, left, right, id);
        }
        long[] mc = mergeCounts.stream().mapToLong(Long::longValue).toArray();
        return new TrainedBpe(s.specialTokens(), List.copyOf(pieces), List.copyOf(merges), words, mc);
    }

    /** Merges (left, right) → id in every word holding the pair and applies the pair-count differences. */
    private void apply(long pair, int left, int right, int id) {
        List<Integer> affected = wordsOf.remove(pair);
        pairCounts.remove(pair);
        Map<Long, long[]> delta = new HashMap<>();
        for (int w : affected) {
            int[] old = words[w];
            int[] next = new int[old.length];
            int n = 0;
            for (int i = 0; i < old.length; ) {
                if (i + 1 < old.length && old[i] == left && old[i + 1] == right) {
                    next[n++] = id;
                    i += 2;
                } else {
                    next[n++] = old[i++];
                }
            }
            if (n == old.length) {
                continue;
            }
            long c = counts[w];
            for (int i = 0; i + 1 < old.length; i++) {
                long p = pair(old[i], old[i + 1]);
                if (p != pair) {
                    delta.computeIfAbsent(p, k -> new long[1])[0] -= c;
                }
            }
            for (int i = 0; i + 1 < n; i++) {
                delta.computeIfAbsent(pair(next[i], next[i + 1]), k -> new long[1])[0] += c;
                if (next[i] == id || next[i + 1] == id) {
                    List<Integer> list = wordsOf.computeIfAbsent(pair(next[i], next[i + 1]), k -> new ArrayList<>());
                    if (list.isEmpty() || list.getLast() != w) {
                        list.add(w);
                    }
                }
            }
            words[w] = Arrays.copyOf(next, n);
        }
        List<Long> changed = new ArrayList<>(delta.keySet());
        changed.sort(null);
        for (long p : changed) {
            long d = delta.get(p)[0];
            if (d == 0) {
                continue;
            }
            long[] c = pairCounts.computeIfAbsent(p, k -> new long[1]);
            c[0] += d;
            if (c[0] <= 0) {
                pairCounts.remove(p);
                wordsOf.remove(p);
            } else {
                queue.add(new Candidate(p, c[0]));
            }
        }
    }
}
