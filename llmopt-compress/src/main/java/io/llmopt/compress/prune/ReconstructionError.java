package io.llmopt.compress.prune;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.kernel.KernelProvider;
import io.llmopt.tensor.kernel.Kernels;
import io.llmopt.tensor.kernel.WorkerPool;
import java.lang.foreign.MemorySegment;

/**
 * Relative reconstruction error ‖WX − ŴX‖_F / ‖WX‖_F on the calibration inputs, from G = XᵀX alone:
 * ‖AX‖² = Σ_rows a·G·aᵀ (X [n][cols] as rows of inputs, W [rows][cols]).
 *
 * <p>{@link #relative} forms A·G with the engine's matrix multiply (float32, blocks of {@link #BLOCK} rows), so
 * the report costs two GEMMs of rows × cols × cols per matrix — about a second for a 1.1B-shape FFN matrix —
 * instead of the scalar double loops of {@link #reference}, which took minutes per layer at that size.
 * {@link #reference} is the specification; the two agree to float32 rounding (ReconstructionErrorTest).
 */
public final class ReconstructionError {
    /** Rows of A multiplied per call (bounds the temporary A·G block to BLOCK × cols floats). */
    static final int BLOCK = 256;

    private ReconstructionError() {
    }

    public static double relative(float[] before, float[] after, int rows, int cols, double[] gram, WorkerPool pool) {
        return relative(before, after, rows, cols, gram, pool, KernelProvider.get());
    }

    static double relative(float[] before, float[] after, int rows, int cols, double[] gram, WorkerPool pool,
            Kernels kernels) {
        float[] g = new float[cols * cols];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) gram[i];
        }
        Tensor gt = new Tensor("gram", GgmlType.F32, new long[] {cols, cols}, MemorySegment.ofArray(g));
        int block = Math.max(1, Math.min(BLOCK, rows));
        float[] d = new float[block * cols];
        float[] a = new float[block * cols];
        float[] ag = new float[block * cols];
        double num = 0;
        double den = 0;
        for (int r0 = 0; r0 < rows; r0 += block) {
            int n = Math.min(block, rows - r0);
            int len = n * cols;
            int off = r0 * cols;
            boolean changed = false;
            for (int i = 0; i < len; i++) {
                a[i] = before[off + i];
                d[i] = before[off + i] - after[off + i];
                changed |= d[i] != 0;
            }
            kernels.matmul(gt, a, 0, n, ag, 0, pool); // G symmetric: row t of the result is a_t·G
            den += dot(a, ag, len);
            if (changed) {
                kernels.matmul(gt, d, 0, n, ag, 0, pool);
                num += dot(d, ag, len);
            }
        }
        return den > 0 ? Math.sqrt(Math.max(0, num) / den) : 0;
    }

    private static double dot(float[] x, float[] y, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) x[i] * y[i];
        }
        return s;
    }

    /** The scalar double-precision specification of {@link #relative}. */
    static double reference(float[] before, float[] after, int rows, int cols, double[] gram) {
        double num = 0;
        double den = 0;
        double[] a = new double[cols];
        double[] d = new double[cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                a[c] = before[r * cols + c];
                d[c] = (double) before[r * cols + c] - after[r * cols + c];
            }
            num += quadratic(d, gram, cols);
            den += quadratic(a, gram, cols);
        }
        return den > 0 ? Math.sqrt(Math.max(0, num) / den) : 0;
    }

    private static double quadratic(double[] v, double[] g, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            if (v[i] == 0) {
                continue;
            }
            double row = 0;
            for (int j = 0; j < n; j++) {
                row += g[i * n + j] * v[j];
            }
            s += v[i] * row;
        }
        return s;
    }
}
