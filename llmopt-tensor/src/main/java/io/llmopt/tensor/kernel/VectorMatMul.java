package io.llmopt.tensor.kernel;

import io.llmopt.tensor.BitmapRows;
import io.llmopt.tensor.ColumnPanels;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LanePackedQ4_0;
import io.llmopt.tensor.PackedRows;
import io.llmopt.tensor.RowInterleaved;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.MemorySegment;

/**
 * The vector kernels' matrix multiply: out[t·R + r] = Σ_c W[r, c]·x[t·C + c]. A batch of one is a GEMV (each
 * group of four rows decoded a chunk at a time by {@link Gemv}); a larger batch runs the cache-blocked
 * {@link Gemm} over panels of rows. Both compute each output with the same arithmetic, so a token's
 * outputs have the same bits whatever the batch (see {@link Gemm}). Weights with a bitmap-sparse form run {@link BitmapGemv} and sparse-decoded panels
 * instead, column-panel weights {@link PanelMatMul} (their own arithmetic, the same for every batch), lane-packed Q4_0 weights {@link PackedQ4_0Gemv} and row-interleaved ones the fused kernels with a block stride, with the same bits. Rows (or panels) are split between the pool's threads, so every thread
 * reads a disjoint part of W, which is what bounds decode: the weight bytes streamed from memory.
 *
 * <p>The job object is reused per calling thread and its per-worker buffers only grow, so a call allocates
 * nothing once warmed up.
 */
final class VectorMatMul implements RangeTask {
    /** Multiply-adds below which a GEMV chunk is not worth handing to another thread. */
    private static final int MIN_CHUNK_WORK = 1 << 15;
    /**
     * Largest batch whose GEMM decodes its panels from the bitmap-sparse form (F32 only); larger batches and
     * F16 read the dense bytes, which give the same bits. Measured (SparseCpuBench, 5632×2048, 2:4): F32
     * sparse panels 1.2–1.3× faster at batch 4–8 (memory-bound), 0.7× at 16; F16 sparse panels 0.8× at
     * every batch (the chunk decode is compute-bound and the GEMM no longer waits for memory).
     */
    static final int SPARSE_GEMM_MAX_BATCH = 8;

    private final PanelMatMul panelJob = new PanelMatMul();
    private float[][] scratch = new float[0][];
    private float[][] panels = new float[0][];
    private float[][] accs = new float[0][];
    private GgmlType type;
    private BitmapRows sparse;
    private PackedRows packed;
    private MemorySegment w;
    private long rowBytes;
    private float[] x;
    private int xOffset;
    private int batch;
    private float[] out;
    private int outOffset;
    private int rows;
    private int cols;

    void run(Tensor weights, float[] x, int xOffset, int batch, float[] out, int outOffset, WorkerPool pool) {
        if (weights.rank() != 2) {
            throw new LlmoptException("matmul: weight '" + weights.name() + "' must be 2-D, got rank " + weights.rank());
        }
        this.rows = Math.toIntExact(weights.dim(0));
        this.cols = Math.toIntExact(weights.dim(1));
        if (xOffset < 0 || outOffset < 0 || xOffset + (long) batch * cols > x.length || outOffset + (long) batch * rows > out.length) {
            throw new IllegalArgumentException("matmul " + weights + ": buffers too small for batch " + batch);
        }
        if (batch <= 0 || rows == 0) {
            return;
        }
        if (weights.sparse() == null && weights.packed() instanceof ColumnPanels cp && PanelGemv.usable(cp)) {
            panelJob.run(cp, x, xOffset, batch, out, outOffset, pool);
            return;
        }
        ensureBuffers(pool.threads(), batch > 1);
        this.type = weights.type();
        BitmapRows b = weights.sparse();
        this.sparse = b != null && (batch == 1 || (batch <= SPARSE_GEMM_MAX_BATCH && b.type() == GgmlType.F32)) ? b : null;
        PackedRows pr = weights.packed();
        this.packed = this.sparse == null && (batch == 1 ? PackedQ4_0Gemv.usable(pr) || pr instanceof RowInterleaved : Gemm.readsPacked(pr)) ? pr : null;
        this.w = weights.data();
        this.rowBytes = weights.rowBytes();
        this.x = x;
        this.xOffset = xOffset;
        this.batch = batch;
        this.out = out;
        this.outOffset = outOffset;
        try {
            if (batch == 1) {
                int groups = (rows + Gemv.ROWS - 1) / Gemv.ROWS;
                pool.run(groups, Math.max(1, MIN_CHUNK_WORK / Math.max(1, Gemv.ROWS * cols)), this);
            } else {
                pool.run((rows + Gemm.PANEL_ROWS - 1) / Gemm.PANEL_ROWS, 1, this);
            }
        } finally {
            this.w = null;
            this.sparse = null;
            this.packed = null;
            this.x = null;
            this.out = null;
        }
    }

    private void ensureBuffers(int threads, boolean gemm) {
        if (scratch.length < threads) {
            float[][] s = new float[threads][];
            for (int i = 0; i < threads; i++) {
                s[i] = new float[Gemv.SCRATCH];
            }
            scratch = s;
        }
        if (gemm && panels.length < threads) {
            float[][] p = new float[threads][];
            float[][] a = new float[threads][];
            for (int i = 0; i < threads; i++) {
                p[i] = new float[Gemm.PANEL];
                a[i] = new float[Gemm.ACC];
            }
            panels = p;
            accs = a;
        }
    }

    @Override
    public void run(int worker, int from, int to) {
        if (batch == 1) {
            float[] s = scratch[worker];
            for (int g = from; g < to; g++) {
                int r = g * Gemv.ROWS;
                if (sparse != null) {
                    BitmapGemv.rows4(sparse, r, Math.min(Gemv.ROWS, rows - r), x, xOffset, s, out, outOffset + r);
                    continue;
                }
                if (packed instanceof LanePackedQ4_0 lp) {
                    PackedQ4_0Gemv.rows4(lp, r, Math.min(Gemv.ROWS, rows - r), x, xOffset, s, out, outOffset + r);
                    continue;
                }
                if (packed instanceof RowInterleaved ri) {
                    Gemv.rows4(ri, r, Math.min(Gemv.ROWS, rows - r), x, xOffset, s, out, outOffset + r);
                    continue;
                }
                Gemv.rows4(type, w, rowBytes, r, Math.min(Gemv.ROWS, rows - r), cols, x, xOffset, s, out, outOffset + r);
            }
            return;
        }
        float[] panel = panels[worker];
        for (int p = from; p < to; p++) {
            int r0 = p * Gemm.PANEL_ROWS;
            int r1 = Math.min(rows, r0 + Gemm.PANEL_ROWS);
            Gemm.panel(type, w, rowBytes, sparse, packed, r0, r1, cols, x, xOffset, batch, out, outOffset, rows, panel, accs[worker]);
        }
    }
}
