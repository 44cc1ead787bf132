package io.llmopt.tensor.kernel;

import io.llmopt.tensor.Tensor;
import java.util.Random;

/** The kernel comparisons shared by the execution-form tests: packed against GGUF layout, bit for bit. */
final class PackedFormChecks {
    private static final int[] BATCHES = {1, 2, 5, 8, 70};

    private PackedFormChecks() {
    }

    /**
     * matmul of {@code t} and of {@code p} (t with its packed form) must give the same bits for batches 1 to 70
     * (GEMV and GEMM panels, offset buffers), and so must the shared-input GEMV with the packed weight first or second.
     */
    static void sameOutputs(VectorKernels vector, Tensor t, Tensor p, Random r, WorkerPool pool, String what) {
        int rows = Math.toIntExact(t.dim(0)), cols = Math.toIntExact(t.dim(1));
        for (int batch : BATCHES) {
            float[] x = RandomWeights.gaussian(r, batch * cols + 2);
            float[] d = new float[batch * rows + 1];
            float[] s = new float[batch * rows + 1];
            vector.matmul(t, x, 2, batch, d, 1, pool);
            vector.matmul(p, x, 2, batch, s, 1, pool);
            BatchInvarianceTest.assertBits(s, d, what + " batch " + batch);
        }
        float[] x = RandomWeights.gaussian(r, cols);
        float[][] d = {new float[rows], new float[rows]};
        float[][] s = {new float[rows], new float[rows]};
        float[][] u = {new float[rows], new float[rows]};
        vector.matmulShared(new Tensor[] {t, t}, x, 0, 1, d, pool);
        vector.matmulShared(new Tensor[] {p, t}, x, 0, 1, s, pool);
        vector.matmulShared(new Tensor[] {t, p}, x, 0, 1, u, pool);
        BatchInvarianceTest.assertBits(s[0], d[0], what + " shared (packed first)");
        BatchInvarianceTest.assertBits(s[1], d[1], what + " shared (GGUF second)");
        BatchInvarianceTest.assertBits(u[0], d[0], what + " shared (GGUF first)");
        BatchInvarianceTest.assertBits(u[1], d[1], what + " shared (packed second)");
    }
}
