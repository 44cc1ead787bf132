package io.llmopt.train.optim;

/**
 * Linear warm-up times a cosine decay to a floor, as the trainer of ../shared's ref-tinystories (its logged
 * rates are reproduced in the tests). Legend: s the 0-based step, η the peak rate, W warm-up steps, D decay
 * steps, f the floor as a fraction of η.
 * <pre>
 * lr(s) = η · min(1, (s + 1)/W) · (f + (1 − f)·½·(1 + cos(π·min(s, D)/D)))
 * </pre>
 * The cosine runs from step 0 (not from the end of warm-up); after D steps the rate stays at f·η.
 */
public record LearningRateSchedule(double peak, int warmupSteps, int decaySteps, double floor) {

    public LearningRateSchedule {
        if (!(peak > 0) || Double.isInfinite(peak)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + peak);
        }
        if (warmupSteps < 0 || decaySteps < 1) {
            throw new IllegalArgumentException("warm-up must be >= 0 and decay steps >= 1, got " + warmupSteps + ", " + decaySteps);
        }
        if (!(floor >= 0 && floor <= 1)) {
            throw new IllegalArgumentException("learning-rate floor must be in [0, 1], got " + floor);
        }
    }

    public double at(long step) {
        double warm = warmupSteps == 0 ? 1 : Math.min(1.0, (step + 1.0) / warmupSteps);
        double progress = Math.min(step, decaySteps) / (double) decaySteps;
        return peak * warm * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
}
