package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.WorkerPool;

/**
 * Softmax cross-entropy against target ids. Legend: R rows, V vocabulary, z a row of logits, y its target.
 * <pre>
 * forward:   losses [R] = log Σ_j e^{z_j} − z_y             (sums in double)
 * backward:  dlogits [R][V] = scale·(softmax(z) − onehot(y))
 * </pre>
 * The loss is the root of the graph, so its backward writes dlogits instead of accumulating; dlogits may be
 * the logits array itself (the usual case: logits are not needed after the backward pass).
 */
public final class CrossEntropyOp {
    private CrossEntropyOp() {
    }

    public static void forward(float[] losses, float[] logits, int[] targets, int tOff, int rows, int v, WorkerPool pool) {
        pool.run(rows, Math.max(1, (1 << 15) / v), (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                int z = r * v;
                losses[r] = (float) (logSumExp(logits, z, v) - logits[z + targets[tOff + r]]);
            }
        });
    }

    public static void backward(float[] dlogits, float[] logits, int[] targets, int tOff, float scale, int rows, int v,
            WorkerPool pool) {
        pool.run(rows, Math.max(1, (1 << 15) / v), (worker, from, to) -> {
            for (int r = from; r < to; r++) {
                int z = r * v;
                double lse = logSumExp(logits, z, v);
                int y = targets[tOff + r];
                for (int j = 0; j < v; j++) {
                    double p = Math.exp(logits[z + j] - lse);
                    dlogits[z + j] = (float) (scale * (j == y ? p - 1 : p));
                }
            }
        });
    }

    /** log Σ_j exp(x[off + j]). */
    static double logSumExp(float[] x, int off, int n) {
        return logSumExp(x, off, n, 1.0);
    }

    /** log Σ_j exp(x[off + j] / temperature), shifted by the maximum for range. */
    static double logSumExp(float[] x, int off, int n, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, x[off + j] / temperature);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += Math.exp(x[off + j] / temperature - max);
        }
        return max + Math.log(sum);
    }
}
