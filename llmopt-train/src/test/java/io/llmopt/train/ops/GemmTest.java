package io.llmopt.train.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.kernel.WorkerPool;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * VectorGemm against the scalar reference on awkward sizes (0, 1, around the vector width, the tile sizes and the
 * k chunk), transposed and strided operands, padded rows of B and C, bias and accumulate modes, one and two
 * threads, and on one worker of a pool. Both form every
 * sum with fused multiply-adds in the same order, so they must agree bit for bit.
 */
class GemmTest {
    private static final WorkerPool ONE = new WorkerPool(1);
    private static final WorkerPool TWO = new WorkerPool(2);

    @AfterAll
    static void stop() {
        ONE.shutdown();
        TWO.shutdown();
    }

    @Test
    void vectorEqualsScalarBitForBit() {
        int lanes = VectorGemm.SPECIES.length();
        int[] sizes = {1, 3, 4, 5, lanes - 1, lanes, lanes + 1, 2 * lanes, 2 * lanes + 3, 37, 70, 133};
        Random rng = new Random(11);
        Gemm scalar = new ScalarGemm();
        Gemm vector = new VectorGemm();
        int cases = 0;
        for (int m : sizes) {
            for (int n : sizes) {
                for (int k : new int[] {0, 1, 7, 33, 300}) {
                    for (int mode = 0; mode < 4; mode++) {
                        boolean transposedA = (mode & 1) != 0;
                        boolean accumulate = (mode & 2) != 0;
                        int aOff = 3;
                        float[] a = random(rng, aOff + m * k);
                        int ldb = n + (mode == 3 ? 3 : 0);
                        int ldc = n + (mode >= 2 ? 5 : 0);
                        float[] b = random(rng, 2 + k * ldb);
                        float[] bias = random(rng, 1 + n);
                        float[] c0 = random(rng, 5 + m * ldc);
                        float[] c1 = c0.clone();
                        float[] c2 = c0.clone();
                        float[] c3 = c0.clone();
                        int rs = transposedA ? 1 : k;
                        int cs = transposedA ? m : 1;
                        float[] bi = accumulate ? null : bias;
                        scalar.gemm(m, n, k, a, aOff, rs, cs, b, 2, ldb, c0, 5, ldc, bi, 1, accumulate, ONE, Gemm.ALL_WORKERS);
                        vector.gemm(m, n, k, a, aOff, rs, cs, b, 2, ldb, c1, 5, ldc, bi, 1, accumulate, ONE, Gemm.ALL_WORKERS);
                        vector.gemm(m, n, k, a, aOff, rs, cs, b, 2, ldb, c2, 5, ldc, bi, 1, accumulate, TWO, Gemm.ALL_WORKERS);
                        vector.gemm(m, n, k, a, aOff, rs, cs, b, 2, ldb, c3, 5, ldc, bi, 1, accumulate, TWO, 1);
                        assertThat(c1).as("m=%d n=%d k=%d mode=%d", m, n, k, mode).isEqualTo(c0);
                        assertThat(c2).as("two threads m=%d n=%d k=%d mode=%d", m, n, k, mode).isEqualTo(c0);
                        assertThat(c3).as("on worker 1 m=%d n=%d k=%d mode=%d", m, n, k, mode).isEqualTo(c0);
                        cases++;
                    }
                }
            }
        }
        System.out.println("GemmTest: " + cases + " cases bit-identical, " + vector.name());
    }

    @Test
    void scalarMatchesPlainSum() {
        Random rng = new Random(12);
        int m = 6;
        int n = 9;
        int k = 17;
        float[] a = random(rng, m * k);
        float[] b = random(rng, k * n);
        float[] c = new float[m * n];
        new ScalarGemm().gemm(m, n, k, a, 0, k, 1, b, 0, n, c, 0, n, null, 0, false, ONE, Gemm.ALL_WORKERS);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (double) a[i * k + p] * b[p * n + j];
                }
                assertThat((double) c[i * n + j]).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-5));
            }
        }
    }

    private static float[] random(Random rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return x;
    }
}
