package io.llmopt.model.paged;

import io.llmopt.tensor.LlmoptException;

/**
 * The attention metadata of one forward step over several sequences, reused from step to step (no allocation):
 * for every token of the step its id, its position and which sequence it belongs to; for every sequence its
 * block table; and which tokens need logits. A sequence's tokens must be added in position order, and all
 * positions before a sequence's first token of the step must already be in the cache.
 *
 * <pre>
 * token t < numTokens:   tokenId[t], position[t], sequence[t]
 * sequence s < numSeqs:  blockTable[s] (owned by the caller, not copied; covers positions ≤ the last position)
 * logits row i < numLogits: logitToken[i] = the token whose next-token logits are row i of the output
 * </pre>
 */
public final class SequenceBatch {
    final int maxTokens;
    final int maxSeqs;
    final int[] tokenId;
    final int[] position;
    final int[] sequence;
    final int[][] blockTable;
    final int[] logitToken;
    int numTokens;
    int numSeqs;
    int numLogits;

    public SequenceBatch(int maxTokens, int maxSeqs) {
        if (maxTokens <= 0 || maxSeqs <= 0) {
            throw new LlmoptException("batch limits must be positive, got " + maxTokens + " tokens and " + maxSeqs + " sequences");
        }
        this.maxTokens = maxTokens;
        this.maxSeqs = maxSeqs;
        this.tokenId = new int[maxTokens];
        this.position = new int[maxTokens];
        this.sequence = new int[maxTokens];
        this.blockTable = new int[maxSeqs][];
        this.logitToken = new int[maxSeqs];
    }

    public void clear() {
        numTokens = 0;
        java.util.Arrays.fill(blockTable, 0, numSeqs, null);
        numSeqs = 0;
        numLogits = 0;
    }

    /**
     * Adds a sequence running tokens[from .. from+count) at positions startPos .. startPos+count−1; with
     * {@code wantLogits} its last token's logits are returned (row index = number of earlier such sequences).
     * Returns the sequence's index in this batch.
     */
    public int addSequence(int[] blockTable, int[] tokens, int from, int count, int startPos, boolean wantLogits) {
        if (numSeqs == maxSeqs) {
            throw new LlmoptException("batch already holds " + maxSeqs + " sequences");
        }
        if (count <= 0 || numTokens + count > maxTokens) {
            throw new LlmoptException("batch of " + maxTokens + " tokens cannot take " + count + " more after " + numTokens);
        }
        int s = numSeqs++;
        this.blockTable[s] = blockTable;
        for (int i = 0; i < count; i++) {
            int t = numTokens++;
            tokenId[t] = tokens[from + i];
            position[t] = startPos + i;
            sequence[t] = s;
        }
        if (wantLogits) {
            logitToken[numLogits++] = numTokens - 1;
        }
        return s;
    }

    public int numTokens() {
        return numTokens;
    }

    public int numSeqs() {
        return numSeqs;
    }

    public int numLogits() {
        return numLogits;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int maxSeqs() {
        return maxSeqs;
    }
}
