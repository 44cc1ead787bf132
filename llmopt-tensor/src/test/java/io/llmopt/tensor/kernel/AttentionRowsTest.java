package io.llmopt.tensor.kernel;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The many-row attention kernels against the one-row kernels they stand for, bit for bit: {@code dots} against
 * one {@code dot} per row, {@code axpys} against one {@code axpy} per row in order, {@code dots2} and {@code axpys2} against two such sequences — for lengths around every
 * vector boundary (tails, one vector, four vectors), row counts odd and even and around the blocks of L rows
 * that {@code dots} reduces together, strided rows at odd offsets.
 * The build runs this class at 128, 256 and 512 bits.
 */
class AttentionRowsTest {
    private static final int[] LENGTHS = {1, 3, 8, 15, 16, 17, 32, 63, 64, 65, 100, 128};
    private static final int[] COUNTS = {0, 1, 2, 3, 5, 16, 17, 31, 33, 48, 70};

    @Test
    void manyRowKernelsGiveTheOneRowKernelsBits() {
        VectorKernels v = new VectorKernels();
        Random r = new Random(17);
        for (int n : LENGTHS) {
            for (int count : COUNTS) {
                int stride = n + 5;
                float[] q = RandomWeights.gaussian(r, n + 3);
                float[] k = RandomWeights.gaussian(r, 7 + count * stride);
                float[] got = new float[count + 2];
                float[] want = new float[count + 2];
                v.dots(q, 3, k, 7, stride, count, n, got, 2);
                for (int i = 0; i < count; i++) {
                    want[2 + i] = v.dot(q, 3, k, 7 + i * stride, n);
                }
                BatchInvarianceTest.assertBits(got, want, "dots n=" + n + " count=" + count);

                float[] q2 = RandomWeights.gaussian(r, 2 * n + 5);
                float[] got2 = new float[2 * count + 5];
                float[] want2 = new float[2 * count + 5];
                v.dots2(q2, 1, n + 4, k, 7, stride, count, n, got2, 2, count + 4);
                for (int i = 0; i < count; i++) {
                    want2[2 + i] = v.dot(q2, 1, k, 7 + i * stride, n);
                    want2[count + 4 + i] = v.dot(q2, n + 4, k, 7 + i * stride, n);
                }
                BatchInvarianceTest.assertBits(got2, want2, "dots2 n=" + n + " count=" + count);

                float[] alpha = RandomWeights.gaussian(r, count + 1);
                float[] y = RandomWeights.gaussian(r, n + 4);
                float[] y2 = y.clone();
                v.axpys(alpha, 1, k, 7, stride, count, y, 4, n);
                for (int i = 0; i < count; i++) {
                    v.axpy(alpha[1 + i], k, 7 + i * stride, y2, 4, n);
                }
                BatchInvarianceTest.assertBits(y, y2, "axpys n=" + n + " count=" + count);

                float[] alpha2 = RandomWeights.gaussian(r, 2 * count + 3);
                for (int xoB : new int[] {9, 7}) { // other rows, then the same rows (one kv head)
                    float[] yy = RandomWeights.gaussian(r, 2 * n + 9);
                    float[] yy2 = yy.clone();
                    v.axpys2(alpha2, 1, count + 2, k, 7, xoB, stride, count, yy, 3, n + 6, n);
                    for (int i = 0; i < count; i++) {
                        v.axpy(alpha2[1 + i], k, 7 + i * stride, yy2, 3, n);
                        v.axpy(alpha2[count + 2 + i], k, xoB + i * stride, yy2, n + 6, n);
                    }
                    BatchInvarianceTest.assertBits(yy, yy2, "axpys2 n=" + n + " count=" + count + " xoB=" + xoB);
                }
            }
        }
    }
}
