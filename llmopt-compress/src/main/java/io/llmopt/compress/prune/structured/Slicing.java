package io.llmopt.compress.prune.structured;

import io.llmopt.compress.calib.DenseMatrix;
import io.llmopt.tensor.Tensor;

/** Row and column subsets of weight matrices as new F32 tensors (index lists in increasing order). */
final class Slicing {
    private Slicing() {
    }

    static Tensor rows(Tensor t, int[] keep) {
        int cols = Math.toIntExact(t.cols());
        float[] out = new float[keep.length * cols];
        for (int i = 0; i < keep.length; i++) {
            t.readRow(keep[i], out, i * cols);
        }
        return new DenseMatrix(t.name(), keep.length, cols, out).toTensor();
    }

    static Tensor cols(Tensor t, int[] keep) {
        int rows = Math.toIntExact(t.rows());
        int cols = Math.toIntExact(t.cols());
        float[] row = new float[cols];
        float[] out = new float[rows * keep.length];
        for (int r = 0; r < rows; r++) {
            t.readRow(r, row, 0);
            for (int i = 0; i < keep.length; i++) {
                out[r * keep.length + i] = row[keep[i]];
            }
        }
        return new DenseMatrix(t.name(), rows, keep.length, out).toTensor();
    }

    static float[] elements(float[] v, int[] keep) {
        if (v == null) {
            return null;
        }
        float[] out = new float[keep.length];
        for (int i = 0; i < keep.length; i++) {
            out[i] = v[keep[i]];
        }
        return out;
    }

    /** Indices of units [0, n) × size expanded to their element indices (unit u → u·size .. u·size+size−1). */
    static int[] expand(int[] units, int size) {
        int[] out = new int[units.length * size];
        for (int i = 0; i < units.length; i++) {
            for (int j = 0; j < size; j++) {
                out[i * size + j] = units[i] * size + j;
            }
        }
        return out;
    }

    /** [0, n) without {@code removed}, in order. */
    static int[] complement(int n, int[] removed) {
        boolean[] gone = new boolean[n];
        for (int r : removed) {
            gone[r] = true;
        }
        int[] out = new int[n - removed.length];
        int at = 0;
        for (int i = 0; i < n; i++) {
            if (!gone[i]) {
                out[at++] = i;
            }
        }
        return out;
    }

    /** The k indices of the lowest scores (ties: lower index first), sorted by index. */
    static int[] lowest(double[] scores, int k) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Double.compare(scores[a], scores[b]) : Integer.compare(a, b));
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = order[i];
        }
        java.util.Arrays.sort(out);
        return out;
    }
}
