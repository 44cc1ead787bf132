package io.llmopt.train.data;

import java.util.SplittableRandom;

/**
 * Shuffled fixed-length training windows over a token stream, reproducible from (seed, position). Legend:
 * n tokens, T window length. Epoch e cuts the stream into windows of T + 1 tokens (T inputs, the same shifted
 * by one as targets) starting at a seeded shift in [0, T) so that window borders move between epochs, and
 * visits them in a seeded random order. The position (epoch, index within the epoch) is all a checkpoint
 * needs to continue the same sequence of batches.
 */
public final class WindowSampler {

    /** Where the sampler is: the next window is number {@code index} of epoch {@code epoch}'s order. */
    public record Position(long epoch, long index) {
    }

    private final int[] tokens;
    private final int seqLen;
    private final long seed;
    private long epoch;
    private int index;
    private int shift;
    private int[] order;

    public WindowSampler(int[] tokens, int seqLen, long seed) {
        if (tokens.length < seqLen + 1) {
            throw new IllegalArgumentException(tokens.length + " tokens, fewer than one window of " + (seqLen + 1));
        }
        this.tokens = tokens;
        this.seqLen = seqLen;
        this.seed = seed;
        startEpoch(0);
    }

    private void startEpoch(long e) {
        epoch = e;
        index = 0;
        SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (e + 1)));
        int maxShift = Math.min(seqLen, tokens.length - seqLen); // ≥ 1: one window always fits
        shift = rng.nextInt(maxShift);
        int count = (tokens.length - 1 - shift) / seqLen;
        order = new int[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        for (int i = count - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Windows in the current epoch. */
    public int windowsPerEpoch() {
        return order.length;
    }

    public Position position() {
        return new Position(epoch, index);
    }

    /** Continues from a position saved by {@link #position()} (with the same tokens, length and seed). */
    public void seek(Position p) {
        startEpoch(p.epoch());
        if (p.index() < 0 || p.index() > order.length) {
            throw new IllegalArgumentException("window " + p.index() + " is outside epoch " + p.epoch() + " of " + order.length);
        }
        index = (int) p.index();
    }

    /** Writes the next window into inputs/targets at row {@code row} (offset row·T). */
    public void next(int[] inputs, int[] targets, int row) {
        if (index == order.length) {
            startEpoch(epoch + 1);
        }
        int start = shift + order[index++] * seqLen;
        System.arraycopy(tokens, start, inputs, row * seqLen, seqLen);
        System.arraycopy(tokens, start + 1, targets, row * seqLen, seqLen);
    }
}
