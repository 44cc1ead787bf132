package io.llmopt.train.optim;

import io.llmopt.tensor.kernel.WorkerPool;
import io.llmopt.train.ParameterLayout;

/**
 * Global-norm gradient clipping as {@code torch.nn.utils.clip_grad_norm_}: ‖g‖ = √Σ g² over all parameters;
 * when ‖g‖ &gt; max, every gradient is scaled by max / (‖g‖ + 1e-6). Squares are summed in double per fixed
 * segment and the segment sums added in order, so the norm does not depend on the thread count.
 */
public final class GradientClipping {
    private final ParameterSegments segments;
    private final double[] partial;

    public GradientClipping(ParameterLayout layout) {
        this.segments = new ParameterSegments(layout);
        this.partial = new double[segments.count()];
    }

    public double norm(float[] grads, WorkerPool pool) {
        pool.run(segments.count(), 1, (worker, first, last) -> {
            for (int s = first; s < last; s++) {
                double sum = 0;
                for (int i = segments.from[s], end = segments.to[s]; i < end; i++) {
                    sum += (double) grads[i] * grads[i];
                }
                partial[s] = sum;
            }
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return Math.sqrt(total);
    }

    /** Clips to {@code maxNorm} (no-op when maxNorm ≤ 0) and returns the norm before clipping. */
    public double clip(float[] grads, double maxNorm, WorkerPool pool) {
        double norm = norm(grads, pool);
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            pool.run(segments.count(), 1, (worker, first, last) -> {
                for (int s = first; s < last; s++) {
                    for (int i = segments.from[s], end = segments.to[s]; i < end; i++) {
                        grads[i] *= scale;
                    }
                }
            });
        }
        return norm;
    }
}
