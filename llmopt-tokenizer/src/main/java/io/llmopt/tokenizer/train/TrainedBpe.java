package io.llmopt.tokenizer.train;

import java.util.List;

/**
 * A trained byte-level BPE vocabulary.
 *
 * @param specialTokens the special tokens, ids 0 … n-1 (the first is BOS and EOS)
 * @param pieces every token in id order, written in the byte-level alphabet (specials as their text)
 * @param merges the merges in rank order, each {left piece, right piece}
 * @param segmentations the final token ids of each distinct training word, in {@link WordCounts} order
 * @param mergeCounts the pair count of each merge when it was chosen
 */
public record TrainedBpe(List<String> specialTokens, List<String> pieces, List<String[]> merges, int[][] segmentations,
        long[] mergeCounts) {

    /** Ids of the 256 byte tokens start here. */
    public int firstByteId() {
        return specialTokens.size();
    }

    public int vocabSize() {
        return pieces.size();
    }
}
