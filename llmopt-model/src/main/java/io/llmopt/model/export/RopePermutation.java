package io.llmopt.model.export;

import io.llmopt.model.RopeLayout;

/**
 * Re-orders the rows of q/k projections between RoPE layouts, per head of hd rows. With i < hd/2, j ∈ {0,1}:
 * interleaved row h·hd + 2i + j  ≡  rotate-half row h·hd + j·hd/2 + i. Converting a checkpoint between
 * llama.cpp's GGUF (interleaved) and Hugging Face (rotate-half) applies exactly this, so that each
 * convention's RoPE sees the same pairs.
 */
public final class RopePermutation {
    private RopePermutation() {
    }

    /** The source row to read for target row {@code row} when going from {@code from} to {@code to}. */
    public static long sourceRow(long row, int headDim, RopeLayout from, RopeLayout to) {
        if (from == to) {
            return row;
        }
        long head = row / headDim;
        int within = (int) (row % headDim);
        int half = headDim / 2;
        int source;
        if (to == RopeLayout.HALF) { // target (j, i) at j·half + i ← source 2i + j
            int j = within / half;
            int i = within % half;
            source = 2 * i + j;
        } else { // target 2i + j ← source j·half + i
            int i = within / 2;
            int j = within % 2;
            source = j * half + i;
        }
        return head * headDim + source;
    }
}
