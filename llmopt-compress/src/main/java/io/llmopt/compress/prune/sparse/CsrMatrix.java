package io.llmopt.compress.prune.sparse;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Compressed sparse rows of W [rows, cols]: the non-zeros of row r are values[rowStart[r] .. rowStart[r+1]) at
 * columns columns[same range]. y = W·x costs one multiply-add per non-zero plus a gather of x.
 */
public final class CsrMatrix {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private final int rows;
    private final int cols;
    private final int[] rowStart;   // [rows + 1]
    private final int[] columns;    // [nnz]
    private final float[] values;   // [nnz]

    private CsrMatrix(int rows, int cols, int[] rowStart, int[] columns, float[] values) {
        this.rows = rows;
        this.cols = cols;
        this.rowStart = rowStart;
        this.columns = columns;
        this.values = values;
    }

    /** The non-zeros of a dense row-major matrix. */
    public static CsrMatrix of(float[] w, int rows, int cols) {
        int nnz = 0;
        for (float v : w) {
            if (v != 0f) {
                nnz++;
            }
        }
        int[] start = new int[rows + 1];
        int[] col = new int[nnz];
        float[] val = new float[nnz];
        int at = 0;
        for (int r = 0; r < rows; r++) {
            start[r] = at;
            for (int c = 0; c < cols; c++) {
                float v = w[r * cols + c];
                if (v != 0f) {
                    col[at] = c;
                    val[at++] = v;
                }
            }
        }
        start[rows] = at;
        return new CsrMatrix(rows, cols, start, col, val);
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int nonZeros() {
        return values.length;
    }

    /** Bytes of the format (values + column indices + row starts). */
    public long byteSize() {
        return 4L * values.length + 4L * columns.length + 4L * rowStart.length;
    }

    /** The reference: y[r] = Σ values·x[columns] over row r's non-zeros, rows [from, to). */
    public void multiplyScalar(float[] x, float[] y, int from, int to) {
        for (int r = from; r < to; r++) {
            float s = 0f;
            for (int i = rowStart[r]; i < rowStart[r + 1]; i++) {
                s += values[i] * x[columns[i]];
            }
            y[r] = s;
        }
    }

    /** The same with gathered vector loads of x (sums in another order: equal up to rounding). */
    public void multiply(float[] x, float[] y, int from, int to) {
        int lanes = F.length();
        for (int r = from; r < to; r++) {
            int i = rowStart[r];
            int end = rowStart[r + 1];
            FloatVector acc = FloatVector.zero(F);
            for (int bound = end - lanes; i <= bound; i += lanes) {
                FloatVector xv = FloatVector.fromArray(F, x, 0, columns, i);
                acc = FloatVector.fromArray(F, values, i).fma(xv, acc);
            }
            float s = acc.reduceLanes(VectorOperators.ADD);
            for (; i < end; i++) {
                s += values[i] * x[columns[i]];
            }
            y[r] = s;
        }
    }
}
