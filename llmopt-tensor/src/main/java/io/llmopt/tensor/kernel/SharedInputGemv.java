package io.llmopt.tensor.kernel;

import io.llmopt.tensor.BitmapRows;
import io.llmopt.tensor.ColumnPanels;
import io.llmopt.tensor.LanePackedQ4_0;
import io.llmopt.tensor.PackedRows;
import io.llmopt.tensor.RowInterleaved;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;

/**
 * Decode GEMV of several weights that multiply the same activation vector (q/k/v, gate/up) as one pool
 * dispatch: the four-row groups of all weights are numbered one after the other and split between the
 * threads together, so the threads meet at one barrier instead of one per weight, and the small k/v
 * matrices no longer pay a dispatch each. Every group is computed by {@link Gemv#rows4} exactly as
 * {@link VectorMatMul} computes it (or by {@link BitmapGemv} for weights with a bitmap-sparse form), so the outputs have the same bits as separate matmul calls; weights in the column-panel form are split by panels and run {@link PanelGemv}.
 *
 * <p>Reused per calling thread; allocates nothing once its arrays have grown to the number of weights.
 */
final class SharedInputGemv implements RangeTask {
    /** Multiply-adds below which a chunk is not worth handing to another thread (as {@link VectorMatMul}). */
    private static final int MIN_CHUNK_WORK = 1 << 15;

    private float[][] scratch = new float[0][];
    private Tensor[] w = new Tensor[0];
    private float[][] out = new float[0][];
    private int[] firstGroup = new int[1]; // firstGroup[i] = groups of weights 0..i-1
    private int cols;
    private float[] x;
    private int xOffset;
    /** x quantized and packed for the VNNI GEMV of Q4_0 and Q4_K ({@link VnniGemv#pack}), where VNNI runs. */
    private java.lang.foreign.MemorySegment xv = java.lang.foreign.MemorySegment.NULL;
    /** x quantized for the Q4_0 and Q4_K column-panel kernels (once per call, if one of the weights needs it). */
    private float[] xq = new float[0];
    /** xq as shorts, the GEMV kernels' operand ({@link Q8Activations#toShorts}). */
    private short[] xq16 = new short[0];
    private float[] xd = new float[0];
    private float[] xs = new float[0];
    /** x·2¹¹² for the F16 column-panel kernels (once per call, if one of the weights needs it); null if not usable. */
    private float[] xh = new float[0];
    private float[] xhCall;

    void run(Tensor[] weights, float[] x, int xOffset, float[][] outs, WorkerPool pool) {
        int k = weights.length;
        if (outs.length < k) {
            throw new IllegalArgumentException("matmulShared: " + k + " weights but " + outs.length + " outputs");
        }
        if (w.length < k) {
            w = new Tensor[k];
            out = new float[k][];
            firstGroup = new int[k + 1];
        }
        if (scratch.length < pool.threads()) {
            float[][] s = new float[pool.threads()][];
            for (int i = 0; i < s.length; i++) {
                s[i] = new float[Gemv.SCRATCH];
            }
            scratch = s;
        }
        int c = -1;
        int groups = 0;
        int unitMax = 1;
        for (int i = 0; i < k; i++) {
            Tensor t = weights[i];
            if (t.rank() != 2) {
                throw new LlmoptException("matmul: weight '" + t.name() + "' must be 2-D, got rank " + t.rank());
            }
            int rows = Math.toIntExact(t.dim(0));
            int tc = Math.toIntExact(t.dim(1));
            if (c >= 0 && tc != c) {
                throw new IllegalArgumentException("matmulShared: " + t + " has " + tc + " columns, expected " + c);
            }
            c = tc;
            if (xOffset < 0 || xOffset + (long) c > x.length || rows > outs[i].length) {
                throw new IllegalArgumentException("matmul " + t + ": buffers too small for batch 1");
            }
            w[i] = t;
            out[i] = outs[i];
            firstGroup[i] = groups;
            int unit = unitRows(t);
            unitMax = Math.max(unitMax, unit);
            groups += (rows + unit - 1) / unit;
        }
        firstGroup[k] = groups;
        for (int i = 0; i < k; i++) {
            if (weights[i].sparse() == null && weights[i].packed() instanceof ColumnPanels cp && PanelGemv.usable(cp)
                    && PanelGemv.quantized(cp)) {
                if (xq.length < c) {
                    xq = new float[c];
                    xq16 = new short[c];
                    xd = new float[c / 32];
                    xs = new float[c / 32];
                }
                Q8Activations.quantizeRow(x, xOffset, c, xq, 0, xd, 0);
                Q8Activations.blockSums(xq, 0, c, xd, 0, xs, 0);
                Q8Activations.toShorts(xq, 0, c, xq16);
                if (VnniGemm.AVAILABLE) { // cheap (cols / 32 blocks), for the Q4_0 and Q4_K weights
                    if (xv.byteSize() < VnniGemv.bytes(c)) {
                        xv = java.lang.foreign.Arena.ofAuto().allocate(VnniGemv.bytes(c), 64);
                    }
                    VnniGemv.pack(xq, xd, xs, c, xv);
                }
                break;
            }
        }
        xhCall = null;
        for (int i = 0; i < k; i++) {
            if (weights[i].sparse() == null && weights[i].packed() instanceof ColumnPanels cp && PanelGemv.usable(cp)
                    && cp.type() == io.llmopt.tensor.GgmlType.F16) {
                if (xh.length < c) {
                    xh = new float[c];
                }
                xhCall = PanelGemv.scaleForF16(x, xOffset, c, xh) ? xh : null;
                break;
            }
        }
        this.cols = c;
        this.x = x;
        this.xOffset = xOffset;
        try {
            if (groups > 0) {
                // the grain counts work units, which are column-panel units of up to 4·P rows, not four-row groups:
                // grain 4 made a chunk of q/k/v 2 MB of F16 weights, and one thread waited for the other's last one
                pool.run(groups, Math.max(1, MIN_CHUNK_WORK / Math.max(1, unitMax * c)), this);
            }
        } finally {
            java.util.Arrays.fill(w, 0, k, null);
            java.util.Arrays.fill(out, 0, k, null);
            this.x = null;
        }
    }

    /** Rows per work unit of a weight: a GEMV unit of its column-panel form ({@link PanelGemv#unitRows}), else a four-row group. */
    private static int unitRows(Tensor t) {
        return t.sparse() == null && t.packed() instanceof ColumnPanels cp && PanelGemv.usable(cp) ? PanelGemv.unitRows(cp) : Gemv.ROWS;
    }

    @Override
    public void run(int worker, int from, int to) {
        float[] s = scratch[worker];
        int i = 0;
        while (firstGroup[i + 1] <= from) {
            i++;
        }
        for (int g = from; g < to; ) {
            Tensor t = w[i];
            int rows = Math.toIntExact(t.dim(0));
            int end = Math.min(to, firstGroup[i + 1]);
            long rowBytes = t.rowBytes();
            BitmapRows sparse = t.sparse();
            PackedRows packed = t.packed();
            for (; g < end; g++) {
                if (sparse == null && packed instanceof ColumnPanels cp && PanelGemv.usable(cp)) {
                    int u = g - firstGroup[i];
                    PanelGemv.unit(cp, u, x, xOffset, xq16, xd, xs, xhCall, xv, out[i], u * PanelGemv.unitRows(cp), s);
                    continue;
                }
                int r = (g - firstGroup[i]) * Gemv.ROWS;
                if (sparse != null) { // as VectorMatMul: the bitmap-sparse form gives the same bits
                    BitmapGemv.rows4(sparse, r, Math.min(Gemv.ROWS, rows - r), x, xOffset, s, out[i], r);
                } else if (packed instanceof LanePackedQ4_0 lp && PackedQ4_0Gemv.usable(lp)) {
                    PackedQ4_0Gemv.rows4(lp, r, Math.min(Gemv.ROWS, rows - r), x, xOffset, s, out[i], r);
                } else if (packed instanceof RowInterleaved ri) {
                    Gemv.rows4(ri, r, Math.min(Gemv.ROWS, rows - r), x, xOffset, s, out[i], r);
                } else {
                    Gemv.rows4(t.type(), t.data(), rowBytes, r, Math.min(Gemv.ROWS, rows - r), cols, x, xOffset, s, out[i], r);
                }
            }
            i++;
        }
    }
}
