package io.llmopt.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The column-panel execution form of a 2-D weight matrix for L-lane vector kernels: rows are cut into panels
 * of P = 2·L rows (the last panel padded with zero rows), and inside a panel the weights are stored column by
 * column, so one column of a panel is two vectors whose lane i is row i. Kernels then multiply in the outer-
 * product form: for each column c, acc[rows] += W[rows, c] · x[c] with x[c] broadcast. One decoded weight
 * vector serves every token of a batch (12 tokens per register tile in the GEMM, 24 accumulators) instead of
 * one, which is what lets the GEMM run near the FMA peak.
 *
 * <p><b>The arithmetic this form defines</b> (GEMV, GEMM and the scalar twin all follow it, so a token's
 * outputs have the same bits whatever the batch and the vector width): the columns are cut into chunks of
 * {@link #CHUNK}; for each chunk, s = 0 and s = fma(W[r, c], x[c], s) for c in order; the output is
 * 0 + s₀ + s₁ + … in chunk order. A chunk is short enough that its rounding error stays small, and each
 * output is the plain sequential sum a scalar loop computes.
 *
 * <p><b>The quantized types are the exceptions</b>: as in llama.cpp, their kernels multiply with the activations quantized to 8
 * bits per block of 32 columns (q_x, d_x: see the kernel package's Q8Activations). <b>Q8_0</b>: per block b the integer
 * s_b = Σ q_w·q_x is exact (|s_b| ≤ 32·128·127; the GEMV sums pairs of columns in 16 bits, |·| ≤ 32512, and the
 * pairs in 32 bits, the GEMM sums in floats, or in 32-bit integers where AVX-512 VNNI runs it), and the output is fma(s_b, d_w·d_x, …) over the blocks in order,
 * starting from 0 (d_w·d_x, a product of two fp16 values, is exact). <b>Q4_0</b> likewise with
 * s_b = Σ (q_w − 8)·q_x (|s_b| ≤ 32512). <b>Q4_K</b> likewise: per 32-column sub-block b, with ds = d·sc and mn = (−dmin)·m
 * of the sub-block, s_b = Σ (q − 8)·q_x (exact, as Q4_0) and the activations' own block sum Σ q_x; the output is
 * t = fma(s_b, ds·d_x, t), then t = fma(8·ds + mn, (Σ q_x)·d_x, t) over the blocks in order (since
 * W = ds·(q − 8) + (8·ds + mn); 8·ds is exact, the sum rounded once). <b>Q5_K</b> as Q4_K with q − 16 and
 * 16·ds + mn: s_b = Σ (q − 16)·q_x is exact (|s_b| ≤ 65024; the GEMV sums each 16-column half in 16 bits,
 * |·| ≤ 32512, and adds the halves as floats, the GEMM sums in floats). <b>Q6_K</b>: per 16-column sub-block
 * (half a block of the activations), s = Σ (q − 32)·q_x, exact (the kernels sum each 8-column half in 16 bits,
 * |·| ≤ 32512, and add the halves as floats), and t = fma(s, (d·sc)·d_x, t) over the sub-blocks in order.
 * <b>Q5_0</b> as Q4_0 with q − 16: s_b = Σ (q − 16)·q_x is exact (|s_b| ≤ 65024; the GEMV sums each 16-column
 * half in 16 bits and adds the halves as floats, the GEMM sums in floats), then fma(s_b, d_w·d_x, …).
 * <b>Q5_1</b> as Q5_K per 32-column block with ds = d and mn = m, <b>Q4_1</b> likewise as Q4_K (|s_b| ≤ 32512, one
 * 16-bit sum per block).
 * <b>Q2_K</b> as Q4_K per 16-column sub-block with q − 2 and 2·ds + mn, the activations' sums taken per 16 columns
 * (|s| ≤ 4064). <b>Q3_K</b> as Q6_K with q in [−4, 3] and sc the 6-bit scale less 32 (|s| ≤ 8128, one 16-bit sum per sub-block).
 *
 * <p>Layout per panel (panels follow each other; P = 2L):
 * <ul>
 * <li>F32: per column, P floats.</li>
 * <li>F16: per column, P halfs (the file's bits). For a finite half h (subnormals included), the float r with
 * bits (h &amp; 0x7FFF) &lt;&lt; 13 | (h &amp; 0x8000) &lt;&lt; 16 is exactly w·2⁻¹¹². The GEMV gets r in two
 * integer operations after sign-extending h to 32 bits: (h &lt;&lt; 13) &amp; 0x8FFFFFFF (bit 28 of the shifted
 * value is h's sign and bits 29–31 copies of it; the mask keeps bit 31 only). It does not multiply r by
 * 2¹¹²: it multiplies with x·2¹¹², made once per call, and fma(r, x·2¹¹², a) is fma(w, x, a) bit for bit
 * (the fma's product is exact, and equal) as long as x·2¹¹² is finite and exact, i.e. every |x| &lt; 2¹⁶;
 * for larger, infinite or NaN x it runs the unscaled kernel (r·2¹¹², then fma with x). The GEMM widens with
 * {@code Float.float16ToFloat} (vcvtph2ps), the same floats. A matrix holding an infinite or NaN half is
 * rejected by {@link #pack} and stays in the GGUF layout.</li>
 * <li>BF16: per column, P bf16 values (the file's bits); the kernels widen h to the float with bits h &lt;&lt; 16,
 * exactly, and run the F32 arithmetic above.</li>
 * <li>Q8_0: per block of 32 columns, P fp16 scales d (the file's bits), then per column P signed bytes q; W = q·d.
 * 34 bytes per row and block, as in GGUF.</li>
 * <li>Q4_0: per block of 32 columns, P fp16 scales d (the file's bits), then eight words of P shorts: nibble n of word k of
 * row i is q xor 8 (the 4-bit two's complement of q − 8) of column 4k + n, so two shifts give q − 8 sign-extended
 * in a 16-bit lane; W = (q − 8)·d, the Q4_0 decoder's value. 18 bytes per row and block, as in GGUF. The GEMV
 * widens the scales as F16 weights, r = d·2⁻¹¹² in two integer operations (exact for finite d), then r·2¹¹² = d
 * (exact); a matrix with an infinite or NaN scale is rejected by {@link #pack}. Float32 scales (20 and 36 bytes
 * per row and block) cost the memory-bound decode up to 10 % and 5.5 % more bytes.</li>
 * <li>Q5_0: per block of 32 columns, P fp16 scales d (the file's bits), then for each 16-column half five words of
 * P shorts holding e = q xor 16 as a Q5_K group (below); W = (q − 16)·d, the Q5_0 decoder's value. 22 bytes per row
 * and block, as in GGUF.</li>
 * <li>Q4_1: as Q4_0 with P fp16 minimums m after the scales; W = fma(q, d, m), the Q4_1 decoder's value. 20 bytes
 * per row and block, as in GGUF.</li>
 * <li>Q5_1: as Q5_0 with P fp16 minimums m after the scales; W = fma(q, d, m), the Q5_1 decoder's value (q·d is
 * exact, the sum rounded once). 24 bytes per row and block, as in GGUF.</li>
 * <li>Q4_K: per super-block of 256 columns, P float32 d, P float32 −dmin, then per 32-column sub-block s
 * P bytes sc (the 6-bit scales, [s][i]), then per sub-block P bytes m (the 6-bit minimums), then 64 words of
 * P shorts as in Q4_0 (nibble n of word k of row i is q xor 8 for column 4k + n of the super-block); W = fma(q, d·sc,
 * (−dmin)·m). d·sc (≤ 17 significant bits), q·d·sc (≤ 21) and dmin·m are exact floats, so this is exactly the
 * codec's d·sc·q − dmin·m, signs of zero included. 152 bytes per row and super-block (GGUF: 144).</li>
 * <li>Q5_K: as Q4_K up to the quants (P float32 d, P float32 −dmin, 8 × P scale bytes, 8 × P minimum bytes),
 * then per 16-column group five words of P shorts holding e = q xor 16 (the 5-bit two's complement of q − 16) of
 * its columns 0–15: word k = e(3k) &lt;&lt; 11 | e(3k+1) &lt;&lt; 6 | e(3k+2) &lt;&lt; 1 | bit k of e(15), so that
 * at most a shift left and an arithmetic shift right by 11 give q − 16 sign-extended in a 16-bit lane for columns
 * 0–14, and column 15 is gathered from the five low bits; W = fma(q, d·sc, (−dmin)·m), exactly the codec's value
 * as for Q4_K. 184 bytes per row and super-block (GGUF: 176).</li>
 * <li>Q2_K: per super-block, P float32 d, P float32 −dmin, 16 × P bytes (low nibble scale, high nibble minimum, as
 * GGUF), then per 16-column group two words of P shorts holding e = (q − 2) &amp; 3 of its columns 8k .. 8k + 7 at
 * bits 14 − 2n; W = fma(q, d·sc, (−dmin)·m), the codec's value. 88 bytes per row and super-block (GGUF: 84).</li>
 * <li>Q3_K: per super-block, P float32 d, then per 16-column sub-block P signed bytes sc − 32, then per 16-column
 * group three words of P shorts holding e = q &amp; 7 (the 3-bit two's complement of q) of its columns 0–15:
 * word k = e(5k) &lt;&lt; 13 | e(5k+1) &lt;&lt; 10 | e(5k+2) &lt;&lt; 7 | e(5k+3) &lt;&lt; 4 | e(5k+4) &lt;&lt; 1 | bit k of
 * e(15); W = q·(d·(sc − 32)), the codec's value. 116 bytes per row and super-block (GGUF: 110).</li>
 * <li>Q6_K: per super-block, P float32 d, then per 16-column sub-block P signed bytes sc, then per group of 8
 * columns three words of P shorts holding e = q xor 32 (the 6-bit two's complement of q − 32) of its columns
 * 0–7: w0 = e0 &lt;&lt; 10 | e1 &lt;&lt; 4 | (e6 &amp; 15), w1 = e2 &lt;&lt; 10 | e3 &lt;&lt; 4 | (e7 &amp; 15),
 * w2 = e4 &lt;&lt; 10 | e5 &lt;&lt; 4 | (e6 &gt;&gt; 4) &lt;&lt; 2 | e7 &gt;&gt; 4, so that at most a shift, a blend and an
 * arithmetic shift right by 10 give q − 32 sign-extended in a 16-bit lane; W = (q − 32)·(d·sc), the codec's
 * expression (the product of three is exact). 212 bytes per row and super-block (GGUF: 210).</li>
 * </ul>
 * Scales of Q8_0, Q4_0, Q5_0 and Q5_1 stay fp16 (as many bytes per weight as GGUF); the K-quants' d and dmin are widened to
 * float32 and their sub-block scales stay bytes (the kernels widen them once per sub-block). A Q8_0, Q4_0, Q5_0, Q5_1 or
 * K-quant matrix with an infinite or NaN fp16 scale is rejected by {@link #pack} like such an F16 matrix.
 */
public final class ColumnPanels implements PackedRows {
    /** Columns per partial sum of the arithmetic (a multiple of 32, so a quantized block never straddles two; half a K-quant super-block). */
    public static final int CHUNK = 128;
    /** Bytes per panel row of a Q4_K super-block: d, −dmin, 8 scales, 8 minimums, 32 words of quants. */
    static final int Q4_K_BLOCK = 4 + 4 + 8 + 8 + 128;
    /** Bytes per panel row of a Q2_K super-block: d, −dmin, 16 scale/minimum bytes, 16 groups of two 16-bit words. */
    static final int Q2_K_BLOCK = 4 + 4 + 16 + 16 * 4;
    /** Bytes per panel row of a Q3_K super-block: d, 16 scales (sc − 32), 16 groups of three 16-bit words. */
    static final int Q3_K_BLOCK = 4 + 16 + 16 * 6;
    /** Bytes per panel row of a Q5_K super-block: d, −dmin, 8 scales, 8 minimums, 16 groups of five 16-bit words. */
    static final int Q5_K_BLOCK = 4 + 4 + 8 + 8 + 160;
    /** Bytes per panel row of a Q6_K super-block: d, 16 scales, 32 groups of three 16-bit words. */
    static final int Q6_K_BLOCK = 4 + 16 + 32 * 6;

    private final GgmlType type;
    private final int lanes;
    private final int rows;
    private final int cols;
    private final long panelBytes;
    private final MemorySegment data;

    private ColumnPanels(GgmlType type, int lanes, int rows, int cols, MemorySegment data) {
        this.type = type;
        this.lanes = lanes;
        this.rows = rows;
        this.cols = cols;
        this.panelBytes = panelBytes(type, 2 * lanes, cols);
        this.data = data;
    }

    /** Whether {@code t} can take this form for {@code lanes}-float vectors. */
    public static boolean supports(Tensor t, int lanes) {
        if (t.rank() != 2 || t.dim(0) <= 0 || t.dim(1) <= 0 || !(lanes == 4 || lanes == 8 || lanes == 16)) {
            return false;
        }
        boolean typeOk = switch (t.type()) {
            case F32, F16, BF16 -> true;
            case Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 -> t.dim(1) % 32 == 0;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> t.dim(1) % 256 == 0;
            default -> false;
        };
        long p = 2L * lanes;
        return typeOk && t.dim(1) < Integer.MAX_VALUE && (t.dim(0) + p - 1) / p * panelBytes(t.type(), (int) p, t.dim(1)) < Long.MAX_VALUE / 2;
    }

    private static long panelBytes(GgmlType type, int p, long cols) {
        return switch (type) {
            case F32 -> 4L * p * cols;
            case F16, BF16 -> 2L * p * cols;
            case Q8_0 -> cols / 32 * (2L * p + 32L * p);
            case Q4_0 -> cols / 32 * (2L * p + 16L * p);
            case Q4_1 -> cols / 32 * (4L * p + 16L * p);
            case Q5_0 -> cols / 32 * (2L * p + 20L * p);
            case Q5_1 -> cols / 32 * (4L * p + 20L * p);
            case Q4_K -> cols / 256 * (Q4_K_BLOCK * p);
            case Q5_K -> cols / 256 * (Q5_K_BLOCK * p);
            case Q3_K -> cols / 256 * (Q3_K_BLOCK * p);
            case Q2_K -> cols / 256 * (Q2_K_BLOCK * p);
            case Q6_K -> cols / 256 * (Q6_K_BLOCK * p);
            default -> throw new LlmoptException("column panels: no layout for " + type);
        };
    }

    /** Bytes of one block of a panel: 32 columns (Q8_0, Q4_0, Q4_1, Q5_0, Q5_1) or a 256-column super-block (Q4_K, Q6_K). */
    public long blockBytes() {
        int p = panelRows();
        return switch (type) {
            case Q8_0 -> 34L * p;
            case Q5_0 -> 22L * p;
            case Q4_1 -> 20L * p;
            case Q5_1 -> 24L * p;
            case Q4_K -> Q4_K_BLOCK * p;
            case Q5_K -> Q5_K_BLOCK * p;
            case Q3_K -> Q3_K_BLOCK * p;
            case Q2_K -> Q2_K_BLOCK * p;
            case Q6_K -> Q6_K_BLOCK * p;
            default -> 18L * p;
        };
    }

    /**
     * Repacks {@code t} (read, never changed) into fresh memory that lives as long as the returned object is
     * reachable; throws {@link LlmoptException} for an F16 matrix holding an infinite or NaN half or a K-quant
     * matrix with such an fp16 scale.
     */
    public static ColumnPanels pack(Tensor t, int lanes) {
        if (!supports(t, lanes)) {
            throw new LlmoptException("tensor '" + t.name() + "': the column-panel form needs a 2-D F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1 or"
                    + " K-quant matrix (columns a multiple of 32, K-quants of 256), got " + t);
        }
        int rows = Math.toIntExact(t.dim(0));
        int cols = Math.toIntExact(t.dim(1));
        int p = 2 * lanes;
        int panels = (rows + p - 1) / p;
        MemorySegment data = NativePages.allocate(panels * panelBytes(t.type(), p, cols)); // zero until written, pages faulted in by the packers
        ColumnPanels form = new ColumnPanels(t.type(), lanes, rows, cols, data);
        // panels are independent: split them between the cores (a 1.1B model has ~10^9 weights to move)
        int parts = Math.min(panels, Runtime.getRuntime().availableProcessors());
        java.util.stream.IntStream.range(0, parts).parallel().forEach(k -> form.packPanels(t, panels * k / parts, panels * (k + 1) / parts));
        return form;
    }

    /** Fills panels [from, to) from {@code t}: P rows copied to a heap buffer, rearranged there, copied out. */
    private void packPanels(Tensor t, int from, int to) {
        if (type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16) {
            packFloatPanels(t, from, to);
            return;
        }
        int p = panelRows();
        int rowBytes = Math.toIntExact(t.rowBytes());
        byte[] src = new byte[p * rowBytes];
        byte[] dst = new byte[Math.toIntExact(panelBytes)];
        MemorySegment in = MemorySegment.ofArray(src);
        MemorySegment out = MemorySegment.ofArray(dst);
        for (int panel = from; panel < to; panel++) {
            int n = Math.min(p, rows - panel * p);
            MemorySegment.copy(t.data(), (long) panel * p * rowBytes, in, 0, (long) n * rowBytes);
            java.util.Arrays.fill(src, n * rowBytes, src.length, (byte) 0); // padding rows: zero weights (zero scales)
            switch (type) {
                case Q8_0 -> {
                    int bb = (int) blockBytes();
                    for (int b = 0; b < cols / 32; b++) {
                        int fo = b * bb;
                        for (int i = 0; i < p; i++) {
                            int bo = i * rowBytes + 34 * b;
                            copyFiniteScale(t, panel * p + i, src, bo, dst, fo + 2 * i);
                            for (int j = 0; j < 32; j++) {
                                dst[fo + 2 * p + j * p + i] = src[bo + 2 + j];
                            }
                        }
                    }
                }
                case Q4_0, Q4_1 -> {
                    int header = type == GgmlType.Q4_1 ? 2 : 1; // fp16 values before the quants: d (Q4_0), d and m (Q4_1)
                    int bb = (int) blockBytes();
                    int gb = type.blockBytes();
                    for (int b = 0; b < cols / 32; b++) {
                        int fo = b * bb;
                        for (int i = 0; i < p; i++) {
                            int bo = i * rowBytes + gb * b;
                            copyFiniteScale(t, panel * p + i, src, bo, dst, fo + 2 * i);
                            if (header == 2) {
                                copyFiniteScale(t, panel * p + i, src, bo + 2, dst, fo + 2 * p + 2 * i);
                            }
                            int qo = bo + 2 * header;
                            for (int k = 0; k < 8; k++) {
                                // GGUF: byte j % 16 holds column j in its low nibble (j < 16) or its high one (j ≥ 16);
                                // nibble m of word k is column 4k + m as q xor 8, the 4-bit two's complement of q − 8
                                int q = 4 * k & 15, shift = k < 4 ? 0 : 4;
                                int word = ((src[qo + q] >> shift) & 15) | ((src[qo + q + 1] >> shift) & 15) << 4
                                        | ((src[qo + q + 2] >> shift) & 15) << 8 | ((src[qo + q + 3] >> shift) & 15) << 12;
                                word ^= 0x8888;
                                int wo = fo + 2 * header * p + 2 * (k * p + i);
                                dst[wo] = (byte) word;
                                dst[wo + 1] = (byte) (word >>> 8);
                            }
                        }
                    }
                }
                case Q5_0, Q5_1 -> {
                    for (int b = 0; b < cols / 32; b++) {
                        for (int i = 0; i < p; i++) {
                            packQ5_x(t, panel * p + i, src, i * rowBytes + type.blockBytes() * b, dst, (int) (b * blockBytes()), p, i);
                        }
                    }
                }
                case Q4_K -> {
                    for (int b = 0; b < cols / 256; b++) {
                        for (int i = 0; i < p; i++) {
                            packQ4_K(t, panel * p + i, src, i * rowBytes + 144 * b, dst, (int) (b * blockBytes()), p, i);
                        }
                    }
                }
                case Q2_K -> {
                    for (int b = 0; b < cols / 256; b++) {
                        for (int i = 0; i < p; i++) {
                            packQ2_K(t, panel * p + i, src, i * rowBytes + 84 * b, dst, (int) (b * blockBytes()), p, i);
                        }
                    }
                }
                case Q3_K -> {
                    byte[] blk = new byte[110];
                    int[] e = new int[256];
                    for (int b = 0; b < cols / 256; b++) {
                        for (int i = 0; i < p; i++) {
                            packQ3_K(t, panel * p + i, src, i * rowBytes + 110 * b, dst, (int) (b * blockBytes()), p, i, blk, e);
                        }
                    }
                }
                case Q5_K -> {
                    for (int b = 0; b < cols / 256; b++) {
                        for (int i = 0; i < p; i++) {
                            packQ5_K(t, panel * p + i, src, i * rowBytes + 176 * b, dst, (int) (b * blockBytes()), p, i);
                        }
                    }
                }
                case Q6_K -> {
                    for (int b = 0; b < cols / 256; b++) {
                        for (int i = 0; i < p; i++) {
                            packQ6_K(t, panel * p + i, src, i * rowBytes + 210 * b, dst, (int) (b * blockBytes()), p, i);
                        }
                    }
                }
                default -> throw new AssertionError(type);
            }
            MemorySegment.copy(out, 0, data, panel * panelBytes, panelBytes);
        }
    }

    /**
     * F32, F16 and BF16 panels: each panel's rows are read as one array of elements, transposed in blocks of 64
     * columns (reads along a row, writes a column of the panel), and written out in one copy.
     */
    private void packFloatPanels(Tensor t, int from, int to) {
        int p = panelRows();
        long rowBytes = t.rowBytes();
        if (type == GgmlType.F32) {
            int[] src = new int[p * cols];
            int[] dst = new int[p * cols];
            for (int panel = from; panel < to; panel++) {
                int n = Math.min(p, rows - panel * p);
                MemorySegment.copy(t.data(), Layouts.INT, panel * p * rowBytes, src, 0, n * cols);
                java.util.Arrays.fill(src, n * cols, src.length, 0); // padding rows: zero weights
                for (int c0 = 0; c0 < cols; c0 += 64) {
                    int c1 = Math.min(cols, c0 + 64);
                    for (int i = 0; i < p; i++) {
                        for (int c = c0, s = i * cols + c0; c < c1; c++, s++) {
                            dst[c * p + i] = src[s];
                        }
                    }
                }
                MemorySegment.copy(dst, 0, data, Layouts.INT, panel * panelBytes, p * cols);
            }
            return;
        }
        short[] src = new short[p * cols];
        short[] dst = new short[p * cols];
        for (int panel = from; panel < to; panel++) {
            int n = Math.min(p, rows - panel * p);
            MemorySegment.copy(t.data(), Layouts.SHORT, panel * p * rowBytes, src, 0, n * cols);
            java.util.Arrays.fill(src, n * cols, src.length, (short) 0); // padding rows: zero weights
            if (type == GgmlType.F16) { // every bf16 widens exactly (h << 16), infinities and NaN included; halves must be finite
                int bad = 0;
                for (int k = 0; k < n * cols; k++) {
                    bad |= (src[k] & 0x7C00) + 0x400; // bit 15 set only for an exponent of all ones
                }
                if ((bad & 0x8000) != 0) {
                    for (int k = 0; k < n * cols; k++) {
                        if ((src[k] & 0x7C00) == 0x7C00) {
                            throw new LlmoptException("tensor '" + t.name() + "': F16 weight [" + (panel * p + k / cols) + ", " + k % cols
                                    + "] is infinite or NaN; the column-panel kernels widen finite halves only");
                        }
                    }
                }
            }
            for (int c0 = 0; c0 < cols; c0 += 64) {
                int c1 = Math.min(cols, c0 + 64);
                for (int i = 0; i < p; i++) {
                    for (int c = c0, s = i * cols + c0; c < c1; c++, s++) {
                        dst[c * p + i] = src[s];
                    }
                }
            }
            MemorySegment.copy(dst, 0, data, Layouts.SHORT, panel * panelBytes, p * cols);
        }
    }

    /** Copies the fp16 scale at src[so] (little-endian) to dst[d] if finite (else the one-line error of {@link #pack}). */
    private static void copyFiniteScale(Tensor t, int row, byte[] src, int so, byte[] dst, int d) {
        byte lo = src[so], hi = src[so + 1];
        if ((hi & 0x7C) == 0x7C) {
            throw new LlmoptException("tensor '" + t.name() + "': row " + row + " has an infinite or NaN fp16 scale;"
                    + " the column-panel decode is exact for finite scales only");
        }
        dst[d] = lo;
        dst[d + 1] = hi;
    }

    private static float finiteHalf(Tensor t, int row, byte[] src, int o) {
        return Float.float16ToFloat(finiteScale(t, row, src, o));
    }

    /** The fp16 scale at {@code o}, its bits, if finite (else the one-line error of {@link #pack}). */
    private static short finiteScale(Tensor t, int row, byte[] src, int o) {
        short h = (short) (src[o] & 0xFF | src[o + 1] << 8);
        if ((h & 0x7C00) == 0x7C00) {
            throw new LlmoptException("tensor '" + t.name() + "': row " + row + " has an infinite or NaN fp16 scale;"
                    + " the column-panel decode is exact for finite scales only");
        }
        return h;
    }

    /** Q4_K super-block at {@code bo} (GGUF) into row i of the panel super-block at {@code fo}. */
    private static void packQ4_K(Tensor t, int row, byte[] src, int bo, byte[] dst, int fo, int p, int i) {
        packQ4_KHeader(t, row, src, bo, dst, fo, p, i);
        for (int k = 0; k < 64; k++) {
            // GGUF: sub-block 2g in the low nibbles of qs[32g ..], 2g + 1 in the high ones; columns 4k .. 4k + 3 share
            // their sub-block, so their nibbles sit at the same shift of four consecutive bytes
            int c = 4 * k, qo = bo + 16 + 32 * (c >> 6) + (c & 31), shift = (c >> 5 & 1) * 4;
            int word = (src[qo] >> shift) & 15 | ((src[qo + 1] >> shift) & 15) << 4 | ((src[qo + 2] >> shift) & 15) << 8
                    | ((src[qo + 3] >> shift) & 15) << 12;
            putShort(dst, fo + 24 * p + 2 * (k * p + i), word ^ 0x8888); // q xor 8, as Q4_0
        }
    }

    /** The d, −dmin, 6-bit scales and minimums of a Q4_K or Q5_K super-block (the same 16 header bytes) into row i. */
    private static void packQ4_KHeader(Tensor t, int row, byte[] src, int bo, byte[] dst, int fo, int p, int i) {
        putFloat(dst, fo + 4 * i, finiteHalf(t, row, src, bo));
        putFloat(dst, fo + 4 * p + 4 * i, -finiteHalf(t, row, src, bo + 2));
        for (int sub = 0; sub < 8; sub++) {
            int sc, m;
            if (sub < 4) {
                sc = src[bo + 4 + sub] & 63;
                m = src[bo + 8 + sub] & 63;
            } else {
                int lo = src[bo + 8 + sub] & 0xFF;
                sc = (lo & 15) | ((src[bo + sub] & 0xFF) >>> 6) << 4;
                m = (lo >>> 4) | ((src[bo + 4 + sub] & 0xFF) >>> 6) << 4;
            }
            dst[fo + 8 * p + sub * p + i] = (byte) sc;
            dst[fo + 16 * p + sub * p + i] = (byte) m;
        }
    }

    /**
     * Q5_K super-block at {@code bo} (GGUF: d, dmin, 12 scale bytes, 32 qh, 128 qs) into row i of the panel
     * super-block at {@code fo}: the header as {@link #packQ4_K}'s, then per 16-column group the five words of
     * e = q xor 16 (see the class comment).
     */
    private static void packQ5_K(Tensor t, int row, byte[] src, int bo, byte[] dst, int fo, int p, int i) {
        packQ4_KHeader(t, row, src, bo, dst, fo, p, i);
        int[] e = new int[256];
        for (int c = 0; c < 256; c++) { // GGUF: sub-block 2g in the low nibbles of qs[32g ..], 2g + 1 in the high ones; fifth bit: bit c/32 of qh[c % 32]
            int v = src[bo + 48 + 32 * (c / 64) + c % 32] & 0xFF;
            int hb = ((src[bo + 16 + c % 32] & 0xFF) >>> (c / 32)) & 1;
            e[c] = ((c / 32 % 2 == 0 ? v : v >>> 4) & 15 | hb << 4) ^ 16; // q xor 16: the 5-bit two's complement of q − 16
        }
        packFiveBitGroups(e, 16, dst, fo + 24 * p, p, i);
    }

    /**
     * Q5_0 block at {@code bo} (GGUF: d, 32-bit qh, 16 qs; see Q5_0Codec) into row i of the panel block at {@code fo}:
     * the fp16 d as it is, then for each 16-column half the five words of e = q xor 16, as a Q5_K group. Q5_1 (GGUF: d,
     * m, qh, qs): the fp16 d, then the fp16 m, then the same groups.
     */
    private static void packQ5_x(Tensor t, int row, byte[] src, int bo, byte[] dst, int fo, int p, int i) {
        putShort(dst, fo + 2 * i, finiteScale(t, row, src, bo));
        int header = 1; // fp16 values before qh: d (Q5_0), d and m (Q5_1)
        if (t.type() == GgmlType.Q5_1) {
            putShort(dst, fo + 2 * p + 2 * i, finiteScale(t, row, src, bo + 2));
            header = 2;
        }
        packFiveBitGroups(fiveBitValues(src, bo + 2 * header), 2, dst, fo + 2 * header * p, p, i);
    }

    /** e = q xor 16 of the 32 columns of a Q5_0/Q5_1 block whose 32-bit qh is at {@code ho}, followed by its 16 qs bytes. */
    private static int[] fiveBitValues(byte[] src, int ho) {
        int qh = src[ho] & 0xFF | (src[ho + 1] & 0xFF) << 8 | (src[ho + 2] & 0xFF) << 16 | src[ho + 3] << 24;
        int[] e = new int[32];
        for (int c = 0; c < 32; c++) { // byte c % 16: column c in the low nibble (c < 16) or the high one; fifth bit: bit c of qh
            int v = src[ho + 4 + (c & 15)] & 0xFF;
            e[c] = ((c < 16 ? v : v >>> 4) & 15 | ((qh >>> c) & 1) << 4) ^ 16;
        }
        return e;
    }

    /**
     * The five words of each 16-column group of the 5-bit values e (q xor 16) into row i, group g's word k at
     * {@code wo} + 2·((5g + k)·p + i) (see the class comment, Q5_K).
     */
    private static void packFiveBitGroups(int[] e, int groups, byte[] dst, int wo, int p, int i) {
        for (int g = 0; g < groups; g++) {
            for (int k = 0; k < 5; k++) {
                int word = e[16 * g + 3 * k] << 11 | e[16 * g + 3 * k + 1] << 6 | e[16 * g + 3 * k + 2] << 1 | (e[16 * g + 15] >>> k) & 1;
                putShort(dst, wo + 2 * ((5 * g + k) * p + i), word);
            }
        }
    }

    /**
     * Q2_K super-block at {@code bo} (GGUF: 16 scale/minimum bytes, 64 qs, d, dmin) into row i of the panel
     * super-block at {@code fo}: d, −dmin, the 16 scale bytes as they are (low nibble scale, high nibble minimum),
     * then per 16-column group two words of e = (q − 2) &amp; 3 (see the class comment).
     */
    private static void packQ2_K(Tensor t, int row, byte[] src, int bo, byte[] dst, int fo, int p, int i) {
        putFloat(dst, fo + 4 * i, finiteHalf(t, row, src, bo + 80));
        putFloat(dst, fo + 4 * p + 4 * i, -finiteHalf(t, row, src, bo + 82));
        for (int k = 0; k < 16; k++) {
            dst[fo + 8 * p + k * p + i] = src[bo + k];
        }
        for (int g = 0; g < 16; g++) {
            for (int k = 0; k < 2; k++) {
                int word = 0;
                for (int n = 0; n < 8; n++) {
                    int c = 16 * g + 8 * k + n; // GGUF: byte qs[32·(c/128) + c%32], bits 2·((c%128)/32)
                    int q = ((src[bo + 16 + 32 * (c / 128) + c % 32] & 0xFF) >>> (2 * (c % 128 / 32))) & 3;
                    word |= ((q - 2) & 3) << (14 - 2 * n);
                }
                putShort(dst, fo + 24 * p + 2 * ((2 * g + k) * p + i), word);
            }
        }
    }

    /**
     * Q3_K super-block at {@code bo} (GGUF: 32 hmask, 64 qs, 12 scale bytes, d) into row i of the panel super-block
     * at {@code fo}: d, the 16 scales less 32 as signed bytes, then per 16-column group the three words of
     * e = q &amp; 7 (the 3-bit two's complement of q in [−4, 3]; see the class comment).
     */
    private static void packQ3_K(Tensor t, int row, byte[] src, int bo, byte[] dst, int fo, int p, int i, byte[] blk, int[] e) {
        putFloat(dst, fo + 4 * i, finiteHalf(t, row, src, bo + 108));
        // the block as an array of its own: per-byte segment reads here once made C2 deoptimize this method a
        // hundred times per load (a failing profiled loop predicate), which doubled the load time of Q3_K files
        System.arraycopy(src, bo, blk, 0, 110);
        for (int k = 0; k < 16; k++) {
            int low = k < 8 ? blk[96 + k] & 0x0F : (blk[96 + k - 8] & 0xFF) >>> 4;
            int sc = low | (((blk[104 + k % 4] & 0xFF) >>> (2 * (k / 4))) & 3) << 4;
            dst[fo + 4 * p + k * p + i] = (byte) (sc - 32);
        }
        for (int h = 0; h < 2; h++) { // GGUF: column c = 128h + 32k + l (16-column group j = l / 16)
            for (int k = 0; k < 4; k++) {
                for (int l = 0; l < 32; l++) {
                    int low = ((blk[32 + 32 * h + l] & 0xFF) >>> (2 * k)) & 3;
                    int hb = ((blk[l] & 0xFF) >>> (4 * h + k)) & 1;
                    e[128 * h + 32 * k + l] = (low - 4 * (1 - hb)) & 7;
                }
            }
        }
        for (int g = 0; g < 16; g++) {
            for (int k = 0; k < 3; k++) {
                int word = e[16 * g + 5 * k] << 13 | e[16 * g + 5 * k + 1] << 10 | e[16 * g + 5 * k + 2] << 7 | e[16 * g + 5 * k + 3] << 4
                        | e[16 * g + 5 * k + 4] << 1 | (e[16 * g + 15] >>> k) & 1;
                putShort(dst, fo + 20 * p + 2 * ((3 * g + k) * p + i), word);
            }
        }
    }

    /** Q6_K super-block at {@code bo} (GGUF) into row i of the panel super-block at {@code fo}. */
    private static void packQ6_K(Tensor t, int row, byte[] src, int bo, byte[] dst, int fo, int p, int i) {
        putFloat(dst, fo + 4 * i, finiteHalf(t, row, src, bo + 208));
        for (int sub = 0; sub < 16; sub++) {
            dst[fo + 4 * p + sub * p + i] = src[bo + 192 + sub];
        }
        for (int g = 0; g < 32; g++) {
            // GGUF: column c = 8g + n lies in half c / 128 and quarter c % 128 / 32 (all eight in the same ones): its low
            // four bits in a nibble of ql, its high two in a bit pair of qh
            int c = 8 * g, half = c >> 7, quarter = c >> 5 & 3, l = c & 31;
            int lo = bo + 64 * half + 32 * (quarter & 1) + l, hi = bo + 128 + 32 * half + l;
            int ls = quarter < 2 ? 0 : 4, hs = 2 * quarter;
            int e0 = six(src, lo, hi, ls, hs), e1 = six(src, lo + 1, hi + 1, ls, hs), e2 = six(src, lo + 2, hi + 2, ls, hs);
            int e3 = six(src, lo + 3, hi + 3, ls, hs), e4 = six(src, lo + 4, hi + 4, ls, hs), e5 = six(src, lo + 5, hi + 5, ls, hs);
            int e6 = six(src, lo + 6, hi + 6, ls, hs), e7 = six(src, lo + 7, hi + 7, ls, hs);
            int wo = fo + 20 * p + 2 * (3 * g * p + i);
            putShort(dst, wo, e0 << 10 | e1 << 4 | e6 & 15);
            putShort(dst, wo + 2 * p, e2 << 10 | e3 << 4 | e7 & 15);
            putShort(dst, wo + 4 * p, e4 << 10 | e5 << 4 | (e6 >>> 4) << 2 | e7 >>> 4);
        }
    }

    /** e = q xor 32 (the 6-bit two's complement of q − 32) of the Q6_K weight with low bits at src[lo] >> ls, high at src[hi] >> hs. */
    private static int six(byte[] src, int lo, int hi, int ls, int hs) {
        return ((src[lo] >> ls) & 15 | ((src[hi] >> hs) & 3) << 4) ^ 32;
    }

    private static void putShort(byte[] dst, int o, int v) {
        dst[o] = (byte) v;
        dst[o + 1] = (byte) (v >>> 8);
    }

    private static void putFloat(byte[] dst, int o, float f) {
        int v = Float.floatToRawIntBits(f);
        dst[o] = (byte) v;
        dst[o + 1] = (byte) (v >>> 8);
        dst[o + 2] = (byte) (v >>> 16);
        dst[o + 3] = (byte) (v >>> 24);
    }

    /** The reference decode (scalar twin of the kernels' decoders): dst[q + c] = W[row, c] for c &lt; cols. */
    @Override
    public void decodeRow(int row, float[] dst, int q) {
        int p = panelRows();
        long po = (row / p) * panelBytes;
        int i = row % p;
        for (int c = 0; c < cols; c++) {
            dst[q + c] = switch (type) {
                case F32 -> data.get(Layouts.FLOAT, po + 4L * ((long) c * p + i));
                case F16 -> Float.float16ToFloat(data.get(Layouts.SHORT, po + 2L * ((long) c * p + i)));
                case BF16 -> Float.intBitsToFloat(data.get(Layouts.SHORT, po + 2L * ((long) c * p + i)) << 16);
                case Q8_0 -> {
                    long fo = po + (c / 32) * blockBytes();
                    yield data.get(Layouts.BYTE, fo + 2L * p + (long) (c % 32) * p + i) * q4_0Scale(row, c);
                }
                case Q4_0 -> q4_0(row, c) * q4_0Scale(row, c);
                case Q4_1 -> Math.fma((float) (q4_0(row, c) + 8), q4_0Scale(row, c), q5_1Min(row, c));
                case Q5_0 -> q5_0(row, c) * q4_0Scale(row, c);
                case Q5_1 -> Math.fma((float) (q5_0(row, c) + 16), q4_0Scale(row, c), q5_1Min(row, c));
                case Q4_K -> Math.fma((float) (q4_K(row, c) + 8), q4_KScale(row, c), q4_KMin(row, c));
                case Q5_K -> Math.fma((float) (q5_K(row, c) + 16), q4_KScale(row, c), q4_KMin(row, c));
                case Q6_K -> (float) q6_K(row, c) * q6_KScale(row, c);
                case Q3_K -> (float) q3_K(row, c) * q6_KScale(row, c);
                case Q2_K -> Math.fma((float) (q2_K(row, c) + 2), q2_KScale(row, c), q2_KMin(row, c));
                default -> throw new AssertionError(type);
            };
        }
    }

    /**
     * Q4_0 and Q4_1: q − 8 (in [−8, 7]) of weight [row, c], W = (q − 8)·d; the scalar twin of the kernels' nibble
     * extraction.
     */
    public int q4_0(int row, int c) {
        int p = panelRows();
        long fo = (row / p) * panelBytes + (c / 32) * blockBytes() + (type == GgmlType.Q4_1 ? 4L * p : 2L * p);
        short word = data.get(Layouts.SHORT, fo + 2L * ((long) (c % 32 / 4) * p + row % p));
        return (short) (word << (12 - 4 * (c % 4))) >> 12;
    }

    /**
     * Q4_K only: q − 8 (in [−8, 7]) of weight [row, c], W = fma(q, d·sc, (−dmin)·m); the scalar twin of the
     * kernels' nibble extraction.
     */
    public int q4_K(int row, int c) {
        int p = panelRows();
        long fo = (row / p) * panelBytes + (c / 256) * blockBytes();
        short word = data.get(Layouts.SHORT, fo + 24L * p + 2L * ((long) (c % 256 / 4) * p + row % p));
        return (short) (word << (12 - 4 * (c % 4))) >> 12;
    }

    /**
     * Q5_K only: q − 16 (in [−16, 15]) of weight [row, c], W = fma(q, d·sc, (−dmin)·m) with d·sc and (−dmin)·m
     * from {@link #q4_KScale} and {@link #q4_KMin} (the same header); the scalar twin of the kernels' extraction
     * from the five words of its 16-column group (see the class comment).
     */
    public int q5_K(int row, int c) {
        int p = panelRows();
        return fiveBit((row / p) * panelBytes + (c / 256) * blockBytes() + 24L * p + 2L * ((long) (c % 256 / 16 * 5) * p + row % p), c % 16);
    }

    /**
     * Q5_0 and Q5_1: q − 16 (in [−16, 15]) of weight [row, c], W = (q − 16)·d with d of {@link #q4_0Scale} (the same
     * place); the scalar twin of the kernels' extraction from the five words of its 16-column half.
     */
    public int q5_0(int row, int c) {
        int p = panelRows();
        long wo = type == GgmlType.Q5_1 ? 4L * p : 2L * p;
        return fiveBit((row / p) * panelBytes + (c / 32) * blockBytes() + wo + 2L * ((long) (c % 32 / 16 * 5) * p + row % p), c % 16);
    }

    /** Q4_1 and Q5_1: the minimum m of the block of row {@code row} holding column {@code c}; W = fma(q, d, m). */
    public float q5_1Min(int row, int c) {
        int p = panelRows();
        return Float.float16ToFloat(data.get(Layouts.SHORT, (row / p) * panelBytes + (c / 32) * blockBytes() + 2L * p + 2L * (row % p)));
    }

    /** Value n (0–15) of the 16-column group whose first word is at {@code wo} (words P shorts apart), sign-extended. */
    private int fiveBit(long wo, int n) {
        int p = panelRows();
        if (n < 15) {
            short w = data.get(Layouts.SHORT, wo + 2L * p * (n / 3));
            return (short) (w << (5 * (n % 3))) >> 11;
        }
        int e = 0;
        for (int k = 0; k < 5; k++) {
            e |= (data.get(Layouts.SHORT, wo + 2L * p * k) & 1) << k;
        }
        return e << 27 >> 27;
    }

    /** Q4_K and Q5_K: d·sc of the sub-block of row {@code row} holding column {@code c} (an exact product). */
    public float q4_KScale(int row, int c) {
        int p = panelRows();
        long fo = (row / p) * panelBytes + (c / 256) * blockBytes();
        return data.get(Layouts.FLOAT, fo + 4L * (row % p)) * data.get(Layouts.BYTE, fo + 8L * p + (long) (c % 256 / 32) * p + row % p);
    }

    /** Q4_K and Q5_K: (−dmin)·m of the sub-block of row {@code row} holding column {@code c} (an exact product). */
    public float q4_KMin(int row, int c) {
        int p = panelRows();
        long fo = (row / p) * panelBytes + (c / 256) * blockBytes();
        return data.get(Layouts.FLOAT, fo + 4L * p + 4L * (row % p)) * data.get(Layouts.BYTE, fo + 16L * p + (long) (c % 256 / 32) * p + row % p);
    }

    /**
     * Q6_K only: q − 32 (in [−32, 31]) of weight [row, c], W = (q − 32)·(d·sc); the scalar twin of the kernels'
     * extraction from the three words of its 8-column group (see the class comment).
     */
    public int q6_K(int row, int c) {
        int p = panelRows();
        long wo = (row / p) * panelBytes + (c / 256) * blockBytes() + 20L * p + 2L * ((long) (c % 256 / 8 * 3) * p + row % p);
        short w0 = data.get(Layouts.SHORT, wo), w1 = data.get(Layouts.SHORT, wo + 2L * p), w2 = data.get(Layouts.SHORT, wo + 4L * p);
        short v = switch (c % 8) {
            case 0 -> w0;
            case 1 -> (short) (w0 << 6);
            case 2 -> w1;
            case 3 -> (short) (w1 << 6);
            case 4 -> w2;
            case 5 -> (short) (w2 << 6);
            case 6 -> (short) ((w0 << 10) & 0x3FFF | (w2 << 12) & 0xC000);
            default -> (short) ((w1 << 10) & 0x3FFF | (w2 << 14) & 0xC000);
        };
        return v >> 10;
    }

    /**
     * Q2_K only: q − 2 (in [−2, 1]) of weight [row, c], W = fma(q, d·sc, (−dmin)·m); the scalar twin of the kernels'
     * extraction from the two words of its 16-column group.
     */
    public int q2_K(int row, int c) {
        int p = panelRows();
        long wo = (row / p) * panelBytes + (c / 256) * blockBytes() + 24L * p + 2L * ((long) (c % 256 / 8) * p + row % p);
        short w = data.get(Layouts.SHORT, wo);
        return (short) (w << (2 * (c % 8))) >> 14;
    }

    /** Q2_K only: d·sc of the 16-column sub-block of row {@code row} holding column {@code c} (an exact product). */
    public float q2_KScale(int row, int c) {
        int p = panelRows();
        long fo = (row / p) * panelBytes + (c / 256) * blockBytes();
        return data.get(Layouts.FLOAT, fo + 4L * (row % p)) * (data.get(Layouts.BYTE, fo + 8L * p + (long) (c % 256 / 16) * p + row % p) & 15);
    }

    /** Q2_K only: (−dmin)·m of the 16-column sub-block of row {@code row} holding column {@code c} (an exact product). */
    public float q2_KMin(int row, int c) {
        int p = panelRows();
        long fo = (row / p) * panelBytes + (c / 256) * blockBytes();
        return data.get(Layouts.FLOAT, fo + 4L * p + 4L * (row % p)) * ((data.get(Layouts.BYTE, fo + 8L * p + (long) (c % 256 / 16) * p + row % p) & 0xFF) >>> 4);
    }

    /**
     * Q3_K only: q (in [−4, 3]) of weight [row, c], W = q·(d·(sc − 32)) with the scale from {@link #q6_KScale}
     * (the same place); the scalar twin of the kernels' extraction from the three words of its 16-column group.
     */
    public int q3_K(int row, int c) {
        int p = panelRows();
        long wo = (row / p) * panelBytes + (c / 256) * blockBytes() + 20L * p + 2L * ((long) (c % 256 / 16 * 3) * p + row % p);
        int n = c % 16;
        if (n < 15) {
            short w = data.get(Layouts.SHORT, wo + 2L * p * (n / 5));
            return (short) (w << (3 * (n % 5))) >> 13;
        }
        int e = 0;
        for (int k = 0; k < 3; k++) {
            e |= (data.get(Layouts.SHORT, wo + 2L * p * k) & 1) << k;
        }
        return e << 29 >> 29;
    }

    /** Q6_K and Q3_K: d·sc of the 16-column sub-block of row {@code row} holding column {@code c} (an exact product). */
    public float q6_KScale(int row, int c) {
        int p = panelRows();
        long fo = (row / p) * panelBytes + (c / 256) * blockBytes();
        return data.get(Layouts.FLOAT, fo + 4L * (row % p)) * data.get(Layouts.BYTE, fo + 4L * p + (long) (c % 256 / 16) * p + row % p);
    }

    /** Q8_0 only: q (in [−128, 127]) of weight [row, c], W = q·d. */
    public int q8_0(int row, int c) {
        int p = panelRows();
        long fo = (row / p) * panelBytes + (c / 32) * blockBytes();
        return data.get(Layouts.BYTE, fo + 2L * p + (long) (c % 32) * p + row % p);
    }

    /** Q8_0 only: the scale d of the block of row {@code row} holding column {@code c}. */
    public float q8_0Scale(int row, int c) {
        return q4_0Scale(row, c); // the same place: P fp16 scales at the start of every block
    }

    /** Q4_0, Q5_0 and Q5_1: the scale d of the block of row {@code row} holding column {@code c}. */
    public float q4_0Scale(int row, int c) {
        int p = panelRows();
        return Float.float16ToFloat(data.get(Layouts.SHORT, (row / p) * panelBytes + (c / 32) * blockBytes() + 2L * (row % p)));
    }

    @Override
    public GgmlType type() {
        return type;
    }

    /** Float lanes of the vectors this form is laid out for. */
    public int lanes() {
        return lanes;
    }

    /** Rows per panel, P = 2·lanes. */
    public int panelRows() {
        return 2 * lanes;
    }

    /** Number of panels (the last may be partly padding). */
    public int panels() {
        return (rows + panelRows() - 1) / panelRows();
    }

    /** Byte offset of panel {@code p}. */
    public long panelOffset(int p) {
        return p * panelBytes;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** The panels (see the class comment); read-only. */
    public MemorySegment data() {
        return data;
    }

    @Override
    public long byteSize() {
        return data.byteSize();
    }
}
