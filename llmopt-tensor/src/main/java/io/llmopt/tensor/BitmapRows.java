package io.llmopt.tensor;

import java.lang.foreign.MemorySegment;

/**
 * The bitmap-sparse execution form of a 2-D F32 or F16 weight matrix: for each row one bit per column (set
 * = the stored value is not +0.0) and the set values packed in column order, in the source element type.
 * Built at load time from a dense (e.g. pruned) tensor and attached to it with {@link Tensor#withSparse};
 * files are still written from the dense bytes, so no new GGUF type exists.
 *
 * <p>Only the bit pattern +0.0 counts as zero: a −0.0 is stored like any other value, so {@link #decodeRow}
 * gives back exactly the dense row's values, and kernels that expand the packed values to their columns
 * run the very same arithmetic as the dense GGUF-layout kernels — bit-identical outputs by construction (not
 * to the column-panel form, which sums in another order).
 *
 * <p>Layout (R rows, C columns, W = ⌈C/64⌉ words per row): {@code masks[r·W + c/64]} bit {@code c mod 64}
 * is column c of row r; row r's values are {@code values[rowStart[r] .. rowStart[r+1])}; the value array
 * has {@link #PADDING} spare zero elements at its end so that a vector load of L ≤ 16 values starting at
 * any row position stays in bounds. Bytes per weight: (1 − s)·valueBytes + 1/8 at sparsity s.
 */
public final class BitmapRows {
    /** Spare elements after the last value (the widest vector: 16 floats). */
    public static final int PADDING = 16;

    private final GgmlType type;
    private final int rows;
    private final int cols;
    private final int wordsPerRow;
    private final long[] masks;
    private final int[] rowStart;
    private final float[] f32;
    private final short[] f16;
    private final boolean[] normalRows;

    private BitmapRows(GgmlType type, int rows, int cols, long[] masks, int[] rowStart, float[] f32, short[] f16,
            boolean[] normalRows) {
        this.type = type;
        this.rows = rows;
        this.cols = cols;
        this.wordsPerRow = words(cols);
        this.masks = masks;
        this.rowStart = rowStart;
        this.f32 = f32;
        this.f16 = f16;
        this.normalRows = normalRows;
    }

    /** Whether tensors of this element type can take the bitmap form. */
    public static boolean supports(GgmlType type) {
        return type == GgmlType.F32 || type == GgmlType.F16;
    }

    static int words(int cols) {
        return (cols + 63) >>> 6;
    }

    /** Values of a 2-D F32/F16 tensor whose bit pattern is not +0.0. */
    public static long nonZeros(Tensor t) {
        check(t);
        MemorySegment d = t.data();
        long n = t.elementCount();
        long count = 0;
        if (t.type() == GgmlType.F32) {
            for (long i = 0; i < n; i++) {
                count += d.get(Layouts.INT, 4 * i) != 0 ? 1 : 0;
            }
        } else {
            for (long i = 0; i < n; i++) {
                count += d.get(Layouts.SHORT, 2 * i) != 0 ? 1 : 0;
            }
        }
        return count;
    }

    /** Bytes the bitmap form of an R×C matrix of {@code type} with {@code nonZeros} stored values takes. */
    public static long byteSize(GgmlType type, long rows, long cols, long nonZeros) {
        return rows * words(Math.toIntExact(cols)) * 8L + (rows + 1) * 4L + type.byteSize(nonZeros + PADDING);
    }

    /** The bitmap form of a 2-D F32/F16 tensor (which is read, never changed). */
    public static BitmapRows encode(Tensor t) {
        long nnz = nonZeros(t);
        if (nnz + PADDING > Integer.MAX_VALUE - 8) {
            throw new LlmoptException("tensor '" + t.name() + "': " + nnz + " non-zero values are too many for the bitmap form");
        }
        int rows = Math.toIntExact(t.dim(0));
        int cols = Math.toIntExact(t.dim(1));
        int w = words(cols);
        long[] masks = new long[Math.toIntExact((long) rows * w)];
        int[] rowStart = new int[rows + 1];
        boolean f32 = t.type() == GgmlType.F32;
        float[] fv = f32 ? new float[(int) nnz + PADDING] : null;
        short[] hv = f32 ? null : new short[(int) nnz + PADDING];
        boolean[] normal = new boolean[rows];
        MemorySegment d = t.data();
        int p = 0;
        for (int r = 0; r < rows; r++) {
            rowStart[r] = p;
            boolean allNormal = !f32;
            long base = (long) r * cols;
            for (int c = 0; c < cols; c++) {
                long i = base + c;
                boolean set;
                if (f32) {
                    int bits = d.get(Layouts.INT, 4 * i);
                    set = bits != 0;
                    if (set) {
                        fv[p] = Float.intBitsToFloat(bits);
                    }
                } else {
                    short bits = d.get(Layouts.SHORT, 2 * i);
                    set = bits != 0;
                    if (set) {
                        hv[p] = bits;
                        int e = bits & 0x7C00;
                        allNormal &= e != 0 && e != 0x7C00;
                    }
                }
                if (set) {
                    masks[r * w + (c >>> 6)] |= 1L << (c & 63);
                    p++;
                }
            }
            normal[r] = allNormal;
        }
        rowStart[rows] = p;
        return new BitmapRows(t.type(), rows, cols, masks, rowStart, fv, hv, normal);
    }

    private static void check(Tensor t) {
        if (t.rank() != 2 || !supports(t.type())) {
            throw new LlmoptException("tensor '" + t.name() + "': the bitmap-sparse form needs a 2-D F32 or F16 matrix, got " + t);
        }
    }

    /** The reference decode: dst[p + c] = W[row, c] for c < cols, exactly the dense value. */
    public void decodeRow(int row, float[] dst, int p) {
        int v = rowStart[row];
        int m = row * wordsPerRow;
        for (int c = 0; c < cols; c++) {
            if ((masks[m + (c >>> 6)] >>> (c & 63) & 1) != 0) {
                dst[p + c] = f32 != null ? f32[v] : Float.float16ToFloat(f16[v]);
                v++;
            } else {
                dst[p + c] = 0f;
            }
        }
    }

    public GgmlType type() {
        return type;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int wordsPerRow() {
        return wordsPerRow;
    }

    /** The column bitmaps [rows][wordsPerRow]; shared, never to be modified. */
    public long[] masks() {
        return masks;
    }

    /** Index of each row's first value in the value array, plus the total at [rows]; shared, read-only. */
    public int[] rowStart() {
        return rowStart;
    }

    /** The packed F32 values (null for F16); shared, read-only. */
    public float[] f32Values() {
        return f32;
    }

    /** The packed F16 bit patterns (null for F32); shared, read-only. */
    public short[] f16Values() {
        return f16;
    }

    /**
     * Whether every stored value of row r is a normal F16 number (no subnormal, infinity, NaN or −0.0), so
     * that a kernel may widen it with the short normal-only conversion; false for F32.
     */
    public boolean normalF16Row(int r) {
        return normalRows[r];
    }

    public long nonZeros() {
        return rowStart[rows];
    }

    /** Fraction of values that are +0.0. */
    public double sparsity() {
        long n = (long) rows * cols;
        return n == 0 ? 0 : 1.0 - (double) nonZeros() / n;
    }

    /** Bytes of this form (bitmaps, row starts, values and padding). */
    public long byteSize() {
        return byteSize(type, rows, cols, nonZeros());
    }
}
