package io.llmopt.tensor.kernel;

import io.llmopt.tensor.ColumnPanels;

/**
 * The matrix multiply of a weight in the {@link ColumnPanels} form: a batch of one runs {@link PanelGemv}
 * a work unit of panels at a time ({@link PanelGemv#unitPanels}), the quantized types on activations quantized once per call, F16 on
 * activations scaled by 2¹¹² once per call; a larger batch packs the activations by token groups (one pool pass over the groups) and
 * then runs {@link PanelGemm} (a second pass over the panels). Panels are split between the pool's threads,
 * so every thread reads a disjoint part of the weights. Both give every output the form's arithmetic, so a
 * token's outputs have the same bits whatever the batch.
 *
 * <p>Reused per calling thread; its buffers only grow, so a call allocates nothing once warmed up.
 */
final class PanelMatMul implements RangeTask {
    /** Multiply-adds below which a GEMV chunk is not worth handing to another thread. */
    private static final int MIN_CHUNK_WORK = 1 << 15;
    /** Activations (batch × cols) up to which the calling thread packs them alone. */
    private static final long INLINE_PACK = 1 << 16;

    private float[][] results = new float[0][];
    private float[][] decoded = new float[0][];
    /** The segments of {@link #decoded} (the tiles read the widened block scales through them; made once, not per panel). */
    private java.lang.foreign.MemorySegment[] decodedSegments = new java.lang.foreign.MemorySegment[0];
    private float[][] totals = new float[0][];
    private float[] xp = new float[0];
    /** Q4_0, Q4_K (batch &gt; 1): the packed activations as shorts, and per worker a decoded chunk ({@link PanelGemm16}). */
    private short[] xp16 = new short[0];
    private short[][] decoded16 = new short[0][];
    /** Per worker: one token's quantized activations before they are packed (Q4_0). */
    private float[][] quantized = new float[0][];
    /** Q4_0, Q4_K: the activations quantized (batch 1), the block scales and block sums (every batch). */
    private float[] xq = new float[0];
    /** xq as shorts, the GEMV kernels' operand ({@link Q8Activations#toShorts}). */
    private short[] xq16 = new short[0];
    /** xq, xd and xs packed for the VNNI GEMV of Q4_0 and Q4_K ({@link VnniGemv#pack}). */
    private java.lang.foreign.MemorySegment xv = java.lang.foreign.MemorySegment.NULL;
    private float[] xd = new float[0];
    private float[] xs = new float[0];
    /** Q2_K (batch &gt; 1): the activations' sums per 16 columns times d_x ({@link #sums16}). */
    private float[] xs16 = new float[0];
    /** F16 (batch 1): x·2¹¹² ({@link PanelGemv#scaleForF16}), made once per call; {@link #scaled} if usable. */
    private float[] xh = new float[0];
    private boolean scaled;
    private ColumnPanels form;
    private float[] x;
    private int xOffset;
    private int batch;
    private float[] out;
    private int outOffset;
    private boolean packing;
    /** The VNNI GEMM ({@link VnniGemm}: Q8_0, Q4_0, Q4_K, Q6_K): whether this call runs it, the packed activations, per worker the repacked panel, the output tile and block scales. */
    private boolean vnni;
    private int[] act = new int[0];
    private java.lang.foreign.MemorySegment actSegment;
    private java.lang.foreign.MemorySegment[] vnniTileSegments = new java.lang.foreign.MemorySegment[0];
    private java.lang.foreign.MemorySegment[] vnniPanels = new java.lang.foreign.MemorySegment[0];
    private float[][] vnniTiles = new float[0][];
    private float[][] vnniScales = new float[0][];

    void run(ColumnPanels f, float[] x, int xOffset, int batch, float[] out, int outOffset, WorkerPool pool) {
        int threads = pool.threads();
        if (results.length < threads) {
            results = grow(results, threads, PanelGemv.UNIT);
            decoded = grow(decoded, threads, PanelGemm.PANEL);
            decodedSegments = new java.lang.foreign.MemorySegment[threads];
            for (int i = 0; i < threads; i++) {
                decodedSegments[i] = java.lang.foreign.MemorySegment.ofArray(decoded[i]);
            }
            totals = grow(totals, threads, 0);
        }
        boolean q8 = PanelGemv.quantized(f);
        this.form = f;
        this.x = x;
        this.xOffset = xOffset;
        this.batch = batch;
        this.out = out;
        this.outOffset = outOffset;
        try {
            if (batch == 1) {
                if (q8) {
                    if (xq.length < f.cols()) {
                        xq = new float[f.cols()];
                        xq16 = new short[f.cols()];
                    }
                    if (xd.length < f.cols() / 32) {
                        xd = new float[f.cols() / 32];
                        xs = new float[f.cols() / 32];
                    }
                    Q8Activations.quantizeRow(x, xOffset, f.cols(), xq, 0, xd, 0);
                    Q8Activations.blockSums(xq, 0, f.cols(), xd, 0, xs, 0);
                    Q8Activations.toShorts(xq, 0, f.cols(), xq16);
                    if (VnniGemv.applies(f)) {
                        if (xv.byteSize() < VnniGemv.bytes(f.cols())) {
                            xv = java.lang.foreign.Arena.ofAuto().allocate(VnniGemv.bytes(f.cols()), 64);
                        }
                        VnniGemv.pack(xq, xd, xs, f.cols(), xv);
                    }
                }
                scaled = false;
                if (f.type() == io.llmopt.tensor.GgmlType.F16) {
                    if (xh.length < f.cols()) {
                        xh = new float[f.cols()];
                    }
                    scaled = PanelGemv.scaleForF16(x, xOffset, f.cols(), xh);
                }
                pool.run(PanelGemv.units(f), Math.max(1, MIN_CHUNK_WORK / Math.max(1, PanelGemv.unitRows(f) * f.cols())), this);
                return;
            }
            if (VnniGemm.applies(f)) {
                runVnni(f, threads, pool);
                return;
            }
            int tp = PanelGemm.padded(batch);
            if (xp.length < tp * f.cols()) {
                xp = new float[tp * f.cols()];
            }
            if (q8 && xd.length < tp * (f.cols() / 32)) {
                xd = new float[tp * (f.cols() / 32)];
                xs = new float[tp * (f.cols() / 32)];
            }
            boolean shorts = f.type() == io.llmopt.tensor.GgmlType.Q4_0 || f.type() == io.llmopt.tensor.GgmlType.Q4_1
                    || f.type() == io.llmopt.tensor.GgmlType.Q4_K;
            if (shorts && xp16.length < tp * f.cols()) {
                xp16 = new short[tp * f.cols()];
            }
            if (shorts && decoded16.length < threads) {
                short[][] g = java.util.Arrays.copyOf(decoded16, threads);
                for (int i = decoded16.length; i < threads; i++) {
                    g[i] = new short[ColumnPanels.CHUNK * PanelGemv.P];
                }
                decoded16 = g;
            }
            if (q8 && (quantized.length < threads || quantized[0].length < f.cols())) {
                quantized = grow(new float[0][], threads, f.cols());
            }
            for (int i = 0; i < threads; i++) {
                if (totals[i].length < tp * PanelGemv.P) {
                    totals[i] = new float[tp * PanelGemv.P];
                }
            }
            packing = true;
            if ((long) batch * f.cols() <= INLINE_PACK) {
                run(0, 0, groups(batch)); // a decode batch: cheaper than a pool pass
            } else {
                pool.run(groups(batch), 1, this);
            }
            packing = false;
            if (f.type() == io.llmopt.tensor.GgmlType.Q2_K) {
                sums16(batch, f.cols());
            }
            pool.run(f.panels(), 1, this);
        } finally {
            this.vnni = false;
            this.form = null;
            this.x = null;
            this.out = null;
        }
    }

    /** The GEMM on VNNI ({@link VnniGemm}): the activations packed by tiles of 6 tokens (one pool pass), then the panels (a second). */
    private void runVnni(ColumnPanels f, int threads, WorkerPool pool) {
        int cols = f.cols();
        if (act.length < VnniGemm.actInts(batch, cols)) {
            act = new int[VnniGemm.actInts(batch, cols)];
            actSegment = java.lang.foreign.MemorySegment.ofArray(act);
        }
        if (vnniPanels.length < threads || vnniPanels[0].byteSize() < VnniGemm.panelBytes(cols)) {
            vnniPanels = new java.lang.foreign.MemorySegment[threads];
            for (int i = 0; i < threads; i++) {
                vnniPanels[i] = java.lang.foreign.Arena.ofAuto().allocate(VnniGemm.panelBytes(cols), 64);
            }
            vnniTiles = grow(new float[0][], threads, VnniGemm.TOKENS * VnniGemm.ROWS);
            vnniTileSegments = new java.lang.foreign.MemorySegment[threads];
            for (int i = 0; i < threads; i++) {
                vnniTileSegments[i] = java.lang.foreign.MemorySegment.ofArray(vnniTiles[i]);
            }
        }
        if (vnniScales.length < threads || vnniScales[0].length < cols / 32) {
            vnniScales = grow(new float[0][], threads, cols / 32);
        }
        if (quantized.length < threads || quantized[0].length < cols) {
            quantized = grow(new float[0][], threads, cols);
        }
        vnni = true;
        packing = true;
        int tiles = (batch + VnniGemm.TOKENS - 1) / VnniGemm.TOKENS;
        if ((long) batch * cols <= INLINE_PACK) {
            run(0, 0, tiles);
        } else {
            pool.run(tiles, 1, this);
        }
        packing = false;
        pool.run(f.panels(), 1, this);
    }

    /**
     * Q2_K: xs16[t·(cols/16) + g] = (Σ of token t's 8-bit values over columns 16g .. 16g + 15, in order)·d_x of their
     * block, from the packed activations: the minimum term's operand, the same for every panel, so made once per call
     * instead of once per panel (the GEMV's arithmetic: the sum is an exact integer, the product rounded once).
     */
    private void sums16(int batch, int cols) {
        int groups16 = cols / 16, nb = cols >>> 5;
        if (xs16.length < PanelGemm.padded(batch) * groups16) {
            xs16 = new float[PanelGemm.padded(batch) * groups16];
        }
        for (int t0 = 0; t0 < batch; ) {
            int w = PanelGemm.groupWidth(batch, t0);
            int xo = t0 * cols;
            for (int j = 0; j < w; j++) { // padding tokens of the last group too, as the tiles read them
                for (int g = 0; g < groups16; g++) {
                    float sum = 0f;
                    for (int c = 0; c < 16; c++) {
                        sum += xp[xo + (16 * g + c) * w + j];
                    }
                    xs16[(t0 + j) * groups16 + g] = sum * xd[(t0 + j) * nb + g / 2];
                }
            }
            t0 += w;
        }
    }

    private static float[][] grow(float[][] a, int n, int size) {
        float[][] g = java.util.Arrays.copyOf(a, n);
        for (int i = a.length; i < n; i++) {
            g[i] = new float[size];
        }
        return g;
    }

    /** Token groups of a batch (see {@link PanelGemm#groupWidth}). */
    private static int groups(int batch) {
        int n = 0;
        for (int t = 0; t < batch; t += PanelGemm.groupWidth(batch, t)) {
            n++;
        }
        return n;
    }

    @Override
    public void run(int worker, int from, int to) {
        int cols = form.cols();
        if (vnni) {
            for (int i = from; i < to; i++) {
                if (packing) {
                    VnniGemm.packTile(x, xOffset, batch, cols, i, act, quantized[worker], vnniScales[worker], form.type() == io.llmopt.tensor.GgmlType.Q6_K);
                } else {
                    VnniGemm.panel(form, i, actSegment, batch, out, outOffset, form.rows(), vnniPanels[worker], vnniTiles[worker], vnniTileSegments[worker]);
                }
            }
        } else if (batch == 1) {
            for (int u = from; u < to; u++) {
                PanelGemv.unit(form, u, x, xOffset, xq16, xd, xs, scaled ? xh : null, xv, out, outOffset + u * PanelGemv.unitRows(form), results[worker]);
            }
        } else if (packing) {
            int g = 0;
            for (int t = 0; t < batch; g++) {
                int w = PanelGemm.groupWidth(batch, t);
                if (g >= from && g < to) {
                    if (PanelGemv.quantized(form)) {
                        PanelGemm.packQ8(x, xOffset, batch, cols, t, w, xp, t * cols, xd, xs, quantized[worker],
                                form.type() == io.llmopt.tensor.GgmlType.Q4_0 || form.type() == io.llmopt.tensor.GgmlType.Q4_1
                                        || form.type() == io.llmopt.tensor.GgmlType.Q4_K ? xp16 : null);
                    } else {
                        PanelGemm.pack(x, xOffset, batch, cols, t, w, xp, t * cols);
                    }
                }
                t += w;
            }
        } else {
            for (int p = from; p < to; p++) {
                PanelGemm.panel(form, p, xp, xd, form.type() == io.llmopt.tensor.GgmlType.Q2_K ? xs16 : xs, batch, out, outOffset, form.rows(), decoded[worker], decodedSegments[worker], totals[worker], xp16,
                        decoded16.length > worker ? decoded16[worker] : null);
            }
        }
    }
}
