package io.llmopt.train.optim;

import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.ParameterLayout;

/**
 * AdamW (Loshchilov &amp; Hutter 2019) with decoupled weight decay and bias correction, computed as PyTorch's
 * {@code torch.optim.AdamW} does, per element, in float. Legend: θ parameter, g gradient, m and v the first
 * and second moments, t the update count (1-based), η the learning rate, λ the weight decay.
 * <pre>
 * θ ← θ·(1 − η·λ)                          (matrices only: norms and biases are not decayed)
 * m ← β1·m + (1 − β1)·g        v ← β2·v + (1 − β2)·g²
 * θ ← θ − (η / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 * Elementwise, so any split over threads gives the same result.
 */
public final class AdamW {

    /** The optimizer's constants. */
    public record Settings(double beta1, double beta2, double eps, double weightDecay) {
        public Settings {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW betas must be in [0, 1), got " + beta1 + ", " + beta2);
            }
            if (!(eps > 0) || !(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW needs eps > 0 and weight decay >= 0, got " + eps + ", " + weightDecay);
            }
        }

        /** β = (0.9, 0.95), ε = 1e-8, λ = 0.1 (the reference trainer's). */
        public static final Settings DEFAULT = new Settings(0.9, 0.95, 1e-8, 0.1);
    }

    private final Settings settings;
    private final ParameterSegments segments;
    private final float[] m;
    private final float[] v;
    private long updates;

    public AdamW(ParameterLayout layout, Settings settings) {
        this.settings = settings;
        this.segments = new ParameterSegments(layout);
        this.m = new float[layout.size()];
        this.v = new float[layout.size()];
    }

    public Settings settings() {
        return settings;
    }

    /** First moments (shared; checkpoints read and restore them). */
    public float[] firstMoments() {
        return m;
    }

    /** Second moments (shared). */
    public float[] secondMoments() {
        return v;
    }

    /** Number of updates applied so far. */
    public long updates() {
        return updates;
    }

    /** Restores the state saved from {@link #firstMoments()}, {@link #secondMoments()} and {@link #updates()}. */
    public void restore(float[] firstMoments, float[] secondMoments, long updateCount) {
        if (firstMoments.length != m.length || secondMoments.length != v.length || updateCount < 0) {
            throw new IllegalArgumentException("optimizer state of the wrong size");
        }
        System.arraycopy(firstMoments, 0, m, 0, m.length);
        System.arraycopy(secondMoments, 0, v, 0, v.length);
        updates = updateCount;
    }

    public void step(float[] params, float[] grads, double lr, WorkerPool pool) {
        updates++;
        float b1 = (float) settings.beta1;
        float b2 = (float) settings.beta2;
        float eps = (float) settings.eps;
        float stepSize = (float) (lr / (1 - Math.pow(settings.beta1, updates)));
        float bc2Sqrt = (float) Math.sqrt(1 - Math.pow(settings.beta2, updates));
        float decayFactor = (float) (1 - lr * settings.weightDecay);
        pool.run(segments.count(), 1, (worker, first, last) -> {
            for (int s = first; s < last; s++) {
                float keep = segments.decay[s] ? decayFactor : 1f;
                for (int i = segments.from[s], end = segments.to[s]; i < end; i++) {
                    float g = grads[i];
                    float mi = b1 * m[i] + (1 - b1) * g;
                    float vi = b2 * v[i] + (1 - b2) * g * g;
                    m[i] = mi;
                    v[i] = vi;
                    params[i] = params[i] * keep - stepSize * mi / ((float) Math.sqrt(vi) / bc2Sqrt + eps);
                }
            }
        });
    }
}
