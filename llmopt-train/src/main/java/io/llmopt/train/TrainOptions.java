package io.llmopt.train;

import io.llmopt.tensor.LlmoptException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hyper-parameters of a training run, validated on construction (messages name the CLI flag).
 *
 * @param batchSize       sequences per micro-batch (B)
 * @param seqLen          tokens per sequence (T)
 * @param steps           optimizer steps
 * @param accumSteps      micro-batches whose gradients are summed per optimizer step
 * @param decaySteps      steps of the cosine decay, after which the rate stays at the floor (0 = steps)
 * @param lrFloor         the final rate as a fraction of the peak
 * @param gradClip        maximum global gradient norm (0 = no clipping)
 * @param evalEvery       validation every this many steps (and before the first and after the last), 0 = only those two
 * @param evalWindows     at most this many validation windows (0 = all)
 * @param checkpointEvery checkpoint every this many steps (and after the last), 0 = only after the last
 */
public record TrainOptions(int batchSize, int seqLen, int steps, int accumSteps, double learningRate, int warmupSteps,
        int decaySteps, double lrFloor, double weightDecay, double beta1, double beta2, double gradClip,
        int evalEvery, int evalWindows, int checkpointEvery, long seed) {

    public TrainOptions {
        positive("--batch", batchSize);
        positive("--seq-len", seqLen);
        positive("--steps", steps);
        positive("--accum", accumSteps);
        nonNegative("--warmup", warmupSteps);
        nonNegative("--decay-steps", decaySteps);
        nonNegative("--eval-every", evalEvery);
        nonNegative("--eval-windows", evalWindows);
        nonNegative("--checkpoint-every", checkpointEvery);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new LlmoptException("--lr must be positive, got " + learningRate);
        }
        if (!(lrFloor >= 0 && lrFloor <= 1)) {
            throw new LlmoptException("--lr-floor must be in [0, 1], got " + lrFloor);
        }
        if (!(weightDecay >= 0) || !(gradClip >= 0)) {
            throw new LlmoptException("--weight-decay and --grad-clip must be >= 0, got " + weightDecay + ", " + gradClip);
        }
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new LlmoptException("--beta1/--beta2 must be in [0, 1), got " + beta1 + ", " + beta2);
        }
    }

    /** The defaults of {@code llmopt train} (those of ../shared's ref-tinystories trainer where it had one). */
    public static TrainOptions defaults(int steps) {
        return new TrainOptions(16, 256, steps, 1, 2e-3, Math.min(50, steps / 10), 0, 0.1, 0.1, 0.9, 0.95, 1.0,
                0, 0, 0, 1337);
    }

    public int effectiveDecaySteps() {
        return decaySteps > 0 ? decaySteps : steps;
    }

    /** Tokens per optimizer step. */
    public long tokensPerStep() {
        return (long) batchSize * seqLen * accumSteps;
    }

    public TrainOptions withSteps(int n) {
        return new TrainOptions(batchSize, seqLen, n, accumSteps, learningRate, warmupSteps, decaySteps, lrFloor, weightDecay,
                beta1, beta2, gradClip, evalEvery, evalWindows, checkpointEvery, seed);
    }

    public TrainOptions withEvalEvery(int every, int windows) {
        return new TrainOptions(batchSize, seqLen, steps, accumSteps, learningRate, warmupSteps, decaySteps, lrFloor, weightDecay,
                beta1, beta2, gradClip, every, windows, checkpointEvery, seed);
    }

    public TrainOptions withCheckpointEvery(int every) {
        return new TrainOptions(batchSize, seqLen, steps, accumSteps, learningRate, warmupSteps, decaySteps, lrFloor, weightDecay,
                beta1, beta2, gradClip, evalEvery, evalWindows, every, seed);
    }

    /**
     * The settings that determine the loss curve, by CLI flag. A checkpoint records them and a resumed run must
     * agree on every one (how often to evaluate or checkpoint may differ).
     */
    public Map<String, String> curveSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("--batch", Integer.toString(batchSize));
        m.put("--seq-len", Integer.toString(seqLen));
        m.put("--steps", Integer.toString(steps));
        m.put("--accum", Integer.toString(accumSteps));
        m.put("--lr", Double.toString(learningRate));
        m.put("--warmup", Integer.toString(warmupSteps));
        m.put("--decay-steps", Integer.toString(effectiveDecaySteps()));
        m.put("--lr-floor", Double.toString(lrFloor));
        m.put("--weight-decay", Double.toString(weightDecay));
        m.put("--beta1", Double.toString(beta1));
        m.put("--beta2", Double.toString(beta2));
        m.put("--grad-clip", Double.toString(gradClip));
        m.put("--seed", Long.toString(seed));
        return m;
    }

    private static void positive(String flag, int v) {
        if (v <= 0) {
            throw new LlmoptException(flag + " must be positive, got " + v);
        }
    }

    private static void nonNegative(String flag, int v) {
        if (v < 0) {
            throw new LlmoptException(flag + " must be >= 0, got " + v);
        }
    }
}
