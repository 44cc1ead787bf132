package io.llmopt.tensor;

import java.lang.foreign.Arena;
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
 * <p>Layout per panel (panels follow each other; P = 2L):
 * <ul>
 * <li>F32: per column, P floats.</li>
 * <li>F16: per column, P halfs (the file's bits). The kernels widen a half h exactly as the float with bits
 * (h &amp; 0x7FFF) &lt;&lt; 13 | (h &amp; 0x8000) &lt;&lt; 16 times 2¹¹², three integer operations and a multiply
 * (exact for every finite half, subnormals included); a matrix holding an infinite or NaN half is rejected by
 * {@link #pack} and stays in the GGUF layout.</li>
 * <li>Q8_0: per block of 32 columns, P float32 scales d, then per column P signed bytes q; W = q·d.</li>
 * <li>Q4_0: per block of 32 columns, P float32 scales d, then four words of P ints: nibble n of word k of
 * row i is the q of column 8k + n; W = fma(q, d, −8d), which is exactly the Q4_0 decoder's (q − 8)·d.</li>
 * </ul>
 * Scales are widened to float32 (Q4_0: 0.625 bytes per weight instead of 0.5625; Q8_0: 1.125 instead of 1.0625).
 */
public final class ColumnPanels implements PackedRows {
    /** Columns per partial sum of the arithmetic (a multiple of 32, so a quantized block never straddles two). */
    public static final int CHUNK = 128;

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
            case F32, F16 -> true;
            case Q8_0, Q4_0 -> t.dim(1) % 32 == 0;
            default -> false;
        };
        long p = 2L * lanes;
        return typeOk && t.dim(1) < Integer.MAX_VALUE && (t.dim(0) + p - 1) / p * panelBytes(t.type(), (int) p, t.dim(1)) < Long.MAX_VALUE / 2;
    }

    private static long panelBytes(GgmlType type, int p, long cols) {
        return switch (type) {
            case F32 -> 4L * p * cols;
            case F16 -> 2L * p * cols;
            case Q8_0 -> cols / 32 * (4L * p + 32L * p);
            case Q4_0 -> cols / 32 * (4L * p + 16L * p);
            default -> throw new LlmoptException("column panels: no layout for " + type);
        };
    }

    /** Bytes of one 32-column block of a panel (Q8_0, Q4_0). */
    public long blockBytes() {
        int p = panelRows();
        return type == GgmlType.Q8_0 ? 36L * p : 20L * p;
    }

    /**
     * Repacks {@code t} (read, never changed) into fresh memory that lives as long as the returned object is
     * reachable; throws {@link LlmoptException} for an F16 matrix holding an infinite or NaN half.
     */
    public static ColumnPanels pack(Tensor t, int lanes) {
        if (!supports(t, lanes)) {
            throw new LlmoptException("tensor '" + t.name() + "': the column-panel form needs a 2-D F32, F16, Q8_0 or Q4_0 matrix"
                    + " (quantized: columns a multiple of 32), got " + t);
        }
        int rows = Math.toIntExact(t.dim(0));
        int cols = Math.toIntExact(t.dim(1));
        int p = 2 * lanes;
        int panels = (rows + p - 1) / p;
        MemorySegment data = Arena.ofAuto().allocate(panels * panelBytes(t.type(), p, cols), 64);
        ColumnPanels form = new ColumnPanels(t.type(), lanes, rows, cols, data);
        // panels are independent: split them between the cores (a 1.1B model has ~10^9 weights to move)
        int parts = Math.min(panels, Runtime.getRuntime().availableProcessors());
        java.util.stream.IntStream.range(0, parts).parallel().forEach(k -> form.packPanels(t, panels * k / parts, panels * (k + 1) / parts));
        return form;
    }

    /** Fills panels [from, to) from {@code t}: P rows copied to a heap buffer, rearranged there, copied out. */
    private void packPanels(Tensor t, int from, int to) {
        int p = panelRows();
        int rowBytes = Math.toIntExact(t.rowBytes());
        MemorySegment in = MemorySegment.ofArray(new byte[p * rowBytes]);
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(panelBytes)]);
        for (int panel = from; panel < to; panel++) {
            int n = Math.min(p, rows - panel * p);
            MemorySegment.copy(t.data(), (long) panel * p * rowBytes, in, 0, (long) n * rowBytes);
            in.asSlice((long) n * rowBytes).fill((byte) 0); // padding rows: zero weights (zero scales)
            switch (type) {
                case F32 -> {
                    for (int c = 0; c < cols; c++) {
                        for (int i = 0; i < p; i++) {
                            out.set(Layouts.FLOAT, 4L * (c * p + i), in.get(Layouts.FLOAT, (long) i * rowBytes + 4L * c));
                        }
                    }
                }
                case F16 -> {
                    for (int c = 0; c < cols; c++) {
                        for (int i = 0; i < p; i++) {
                            short h = in.get(Layouts.SHORT, (long) i * rowBytes + 2L * c);
                            if ((h & 0x7C00) == 0x7C00) {
                                throw new LlmoptException("tensor '" + t.name() + "': F16 weight [" + (panel * p + i) + ", " + c
                                        + "] is infinite or NaN; the column-panel kernels widen finite halves only");
                            }
                            out.set(Layouts.SHORT, 2L * (c * p + i), h);
                        }
                    }
                }
                case Q8_0 -> {
                    for (int b = 0; b < cols / 32; b++) {
                        long fo = b * blockBytes();
                        for (int i = 0; i < p; i++) {
                            long bo = (long) i * rowBytes + 34L * b;
                            out.set(Layouts.FLOAT, fo + 4L * i, Float.float16ToFloat(in.get(Layouts.SHORT, bo)));
                            for (int j = 0; j < 32; j++) {
                                out.set(Layouts.BYTE, fo + 4L * p + (long) j * p + i, in.get(Layouts.BYTE, bo + 2 + j));
                            }
                        }
                    }
                }
                case Q4_0 -> {
                    for (int b = 0; b < cols / 32; b++) {
                        long fo = b * blockBytes();
                        for (int i = 0; i < p; i++) {
                            long bo = (long) i * rowBytes + 18L * b;
                            out.set(Layouts.FLOAT, fo + 4L * i, Float.float16ToFloat(in.get(Layouts.SHORT, bo)));
                            for (int k = 0; k < 4; k++) {
                                int word = 0;
                                for (int m = 0; m < 8; m++) {
                                    int j = 8 * k + m; // GGUF: byte j % 16 holds column j (low nibble, j < 16) or j (high, j ≥ 16)
                                    int v = in.get(Layouts.BYTE, bo + 2 + (j & 15)) & 0xFF;
                                    word |= ((j < 16 ? v : v >>> 4) & 15) << (4 * m);
                                }
                                out.set(Layouts.INT, fo + 4L * p + 4L * ((long) k * p + i), word);
                            }
                        }
                    }
                }
                default -> throw new AssertionError(type);
            }
            MemorySegment.copy(out, 0, data, panel * panelBytes, panelBytes);
        }
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
                case Q8_0 -> {
                    long fo = po + (c / 32) * blockBytes();
                    yield data.get(Layouts.BYTE, fo + 4L * p + (long) (c % 32) * p + i) * data.get(Layouts.FLOAT, fo + 4L * i);
                }
                case Q4_0 -> {
                    long fo = po + (c / 32) * blockBytes();
                    int word = data.get(Layouts.INT, fo + 4L * p + 4L * ((long) (c % 32 / 8) * p + i));
                    float d = data.get(Layouts.FLOAT, fo + 4L * i);
                    yield Math.fma((float) ((word >>> (4 * (c % 8))) & 15), d, -8f * d);
                }
                default -> throw new AssertionError(type);
            };
        }
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
