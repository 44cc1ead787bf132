package io.llmopt.train.ops;

import io.llmopt.tensor.kernel.WorkerPool;

/**
 * A linear layer, forward and backward, over weights stored [OC][C] (y = x·Wᵀ + b, the layout of every
 * model file). Legend: BT rows (batch × time), C input channels, OC output channels.
 * <pre>
 * forward:   out [BT][OC] = inp [BT][C] · Wᵀ + bias [OC]
 * backward:  dinp [BT][C] += dout [BT][OC] · W [OC][C]
 *            dW [OC][C]   += doutᵀ · inp
 *            dbias [OC]   += Σ_bt dout[bt]
 * </pre>
 * The forward product reads a transposed copy of W (C·OC floats, made per call into a buffer sized once),
 * so that all three products are the same row-major {@link Gemm}.
 */
public final class MatMulOp {
    private final Gemm gemm;
    private final WorkerPool pool;
    private final float[] transposed;

    /** @param maxWeightSize the largest C·OC this op will see */
    public MatMulOp(Gemm gemm, WorkerPool pool, int maxWeightSize) {
        this.gemm = gemm;
        this.pool = pool;
        this.transposed = new float[maxWeightSize];
    }

    public void forward(float[] out, int outOff, float[] inp, int inpOff, float[] w, int wOff, float[] bias, int biasOff,
            int bt, int c, int oc) {
        int size = c * oc;
        if (size > transposed.length) {
            throw new IllegalArgumentException("weight of " + size + " values exceeds this op's buffer of " + transposed.length);
        }
        pool.run(c, Math.max(1, (1 << 16) / Math.max(1, oc)), (worker, from, to) -> {
            for (int i = from; i < to; i++) {
                for (int o = 0; o < oc; o++) {
                    transposed[i * oc + o] = w[wOff + o * c + i];
                }
            }
        });
        gemm.gemm(bt, oc, c, inp, inpOff, c, 1, transposed, 0, oc, out, outOff, oc, bias, biasOff, false, pool, Gemm.ALL_WORKERS);
    }

    /** Any of dinp, dw, dbias may be null to skip that gradient. */
    public void backward(float[] dinp, int dinpOff, float[] dw, int dwOff, float[] dbias, int dbiasOff,
            float[] dout, int doutOff, float[] inp, int inpOff, float[] w, int wOff, int bt, int c, int oc) {
        if (dinp != null) {
            gemm.gemm(bt, c, oc, dout, doutOff, oc, 1, w, wOff, c, dinp, dinpOff, c, null, 0, true, pool, Gemm.ALL_WORKERS);
        }
        if (dw != null) {
            gemm.gemm(oc, c, bt, dout, doutOff, 1, oc, inp, inpOff, c, dw, dwOff, c, null, 0, true, pool, Gemm.ALL_WORKERS);
        }
        if (dbias != null) {
            pool.run(oc, Math.max(1, (1 << 16) / Math.max(1, bt)), (worker, from, to) -> {
                for (int o = from; o < to; o++) {
                    float sum = dbias[dbiasOff + o];
                    for (int r = 0; r < bt; r++) {
                        sum += dout[doutOff + r * oc + o];
                    }
                    dbias[dbiasOff + o] = sum;
                }
            });
        }
    }
}
