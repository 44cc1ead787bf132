package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.WorkerPool;

/**
 * Knowledge-distillation loss (Hinton et al. 2015) per row, with temperature τ and mix α. Legend: R rows,
 * V vocabulary, z student logits, t teacher logits, y target id, p = softmax(z/τ), q = softmax(t/τ).
 * <pre>
 * forward KL:   loss = α·τ²·KL(q ‖ p) + (1 − α)·CE(z, y),   KL(q ‖ p) = Σ_j q_j (log q_j − log p_j)
 * reverse KL:   loss = α·τ²·KL(p ‖ q) + (1 − α)·CE(z, y)
 * backward:     dz = scale·[α·τ·(p − q) + (1 − α)·(softmax(z) − onehot(y))]                 (forward KL)
 *               dz = scale·[α·τ·p ⊙ (log p − log q − KL(p ‖ q)) + (1 − α)·(softmax(z) − onehot(y))]  (reverse)
 * </pre>
 * The τ² factor keeps the soft-target gradient's size independent of τ. Sums run in double. As for
 * {@link CrossEntropyOp}, backward writes dlogits, which may be the student logits array itself.
 */
public final class DistillationLossOp {
    private final double temperature;
    private final double alpha;
    private final boolean reverse;

    public DistillationLossOp(double temperature, double alpha, boolean reverse) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        this.temperature = temperature;
        this.alpha = alpha;
        this.reverse = reverse;
    }

    /** Writes the total loss per row to {@code losses} and its KL and cross-entropy parts to {@code kl}, {@code ce}. */
    public void forward(float[] losses, float[] kl, float[] ce, float[] logits, float[] teacher, int[] targets, int tOff,
            int rows, int v, WorkerPool pool) {
        pool.run(rows, Math.max(1, (1 << 14) / v), (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                int z = r * v;
                double lseP = CrossEntropyOp.logSumExp(logits, z, v, temperature);
                double lseQ = CrossEntropyOp.logSumExp(teacher, z, v, temperature);
                double div = divergence(logits, teacher, z, v, lseP, lseQ);
                double xent = CrossEntropyOp.logSumExp(logits, z, v) - logits[z + targets[tOff + r]];
                kl[r] = (float) div;
                ce[r] = (float) xent;
                losses[r] = (float) (alpha * temperature * temperature * div + (1 - alpha) * xent);
            }
        });
    }

    public void backward(float[] dlogits, float[] logits, float[] teacher, int[] targets, int tOff, float scale, int rows,
            int v, WorkerPool pool) {
        pool.run(rows, Math.max(1, (1 << 14) / v), (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                int z = r * v;
                double lseP = CrossEntropyOp.logSumExp(logits, z, v, temperature);
                double lseQ = CrossEntropyOp.logSumExp(teacher, z, v, temperature);
                double lse = CrossEntropyOp.logSumExp(logits, z, v);
                double div = reverse ? divergence(logits, teacher, z, v, lseP, lseQ) : 0;
                int y = targets[tOff + r];
                for (int j = 0; j < v; j++) {
                    double logP = logits[z + j] / temperature - lseP;
                    double logQ = teacher[z + j] / temperature - lseQ;
                    double p = Math.exp(logP);
                    double soft = reverse ? p * (logP - logQ - div) : p - Math.exp(logQ);
                    double hard = Math.exp(logits[z + j] - lse) - (j == y ? 1 : 0);
                    dlogits[z + j] = (float) (scale * (alpha * temperature * soft + (1 - alpha) * hard));
                }
            }
        });
    }

    /** KL(q ‖ p), or KL(p ‖ q) when reverse, of one row. */
    private double divergence(float[] logits, float[] teacher, int z, int v, double lseP, double lseQ) {
        double sum = 0;
        for (int j = 0; j < v; j++) {
            double logP = logits[z + j] / temperature - lseP;
            double logQ = teacher[z + j] / temperature - lseQ;
            sum += reverse ? Math.exp(logP) * (logP - logQ) : Math.exp(logQ) * (logQ - logP);
        }
        return sum;
    }
}
