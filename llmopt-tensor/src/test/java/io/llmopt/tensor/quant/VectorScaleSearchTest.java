package io.llmopt.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The lane-per-candidate searches must be bit-identical to the scalar reference loops (same levels, same scale
 * and minimum bits) for every parameter set the quantizers use, on random and degenerate inputs.
 */
class VectorScaleSearchTest {
    private static final int CASES = 3000;

    /** nmax, rmin, rdelta, nstep, useMad as used by Q4_K, Q5_K, Q2_K (qkx2) and the importance searches (qkx3). */
    private static final Object[][] AFFINE = {
        {15, -1.0f, 0.1f, 20, false}, {31, -0.5f, 0.1f, 15, false}, {3, -0.5f, 0.1f, 15, true},
        {15, -0.9f, 0.05f, 36, false}, {31, -0.9f, 0.05f, 36, false}, {3, -0.9f, 0.05f, 36, false},
    };

    @Test
    void affineSearchesMatchTheScalarReferenceBitForBit() {
        assertThat(VectorScaleSearch.ENABLED).as("vector path enabled on this machine").isTrue();
        Random random = new Random(11);
        for (int c = 0; c < CASES; c++) {
            Object[] p = AFFINE[c % AFFINE.length];
            int n = c % 7 == 0 ? 16 : 32;
            float[] x = values(random, n, c);
            float[] w = new float[n];
            for (int i = 0; i < n; i++) {
                w[i] = c % 5 == 0 ? 1f : random.nextFloat() * 2 + Math.abs(x[i]);
            }
            boolean qkx3 = (int) p[3] == 36;
            float[] weights = qkx3 && c % 2 == 0 ? null : w;
            byte[] l1 = new byte[n];
            byte[] l2 = new byte[n];
            float[] m1 = new float[1];
            float[] m2 = new float[1];
            float s1;
            float s2;
            if (qkx3) {
                s1 = AffineSearch.makeQkx3(n, (int) p[0], x, 0, weights, l1, 0, m1, 0, new byte[n], (float) p[1], (float) p[2], (int) p[3], (boolean) p[4], false);
                s2 = AffineSearch.makeQkx3(n, (int) p[0], x, 0, weights, l2, 0, m2, 0, new byte[n], (float) p[1], (float) p[2], (int) p[3], (boolean) p[4], true);
            } else {
                s1 = AffineSearch.makeQkx2(n, (int) p[0], x, 0, w, l1, 0, m1, 0, new byte[n], (float) p[1], (float) p[2], (int) p[3], (boolean) p[4], false);
                s2 = AffineSearch.makeQkx2(n, (int) p[0], x, 0, w, l2, 0, m2, 0, new byte[n], (float) p[1], (float) p[2], (int) p[3], (boolean) p[4], true);
            }
            String where = "case " + c + " x=" + Arrays.toString(x);
            assertThat(Float.floatToRawIntBits(s2)).as(where).isEqualTo(Float.floatToRawIntBits(s1));
            assertThat(Float.floatToRawIntBits(m2[0])).as(where).isEqualTo(Float.floatToRawIntBits(m1[0]));
            assertThat(l2).as(where).isEqualTo(l1);
        }
    }

    @Test
    void symmetricSearchMatchesTheScalarReferenceBitForBit() {
        Random random = new Random(12);
        int[] nmaxes = {32, 4, 16, 8};
        int[] types = {1, 2, 3, 4, -1};
        for (int c = 0; c < CASES; c++) {
            int n = 16;
            int nmax = nmaxes[c % nmaxes.length];
            float[] x = values(random, n, c);
            float[] qw = null;
            int type = types[c % types.length];
            if (c % 3 == 0) {
                qw = new float[n];
                for (int i = 0; i < n; i++) {
                    qw[i] = random.nextFloat();
                }
                type = 1;
            }
            byte[] l1 = new byte[n];
            byte[] l2 = new byte[n];
            float s1 = ScaleSearch.makeQx(n, nmax, x, 0, l1, 0, type, qw, 0, false);
            float s2 = ScaleSearch.makeQx(n, nmax, x, 0, l2, 0, type, qw, 0, true);
            String where = "case " + c + " nmax=" + nmax + " type=" + type + " x=" + Arrays.toString(x);
            assertThat(Float.floatToRawIntBits(s2)).as(where).isEqualTo(Float.floatToRawIntBits(s1));
            assertThat(l2).as(where).isEqualTo(l1);
        }
    }

    /** Gaussian, heavy-tailed, all-positive, constant, zero and tiny inputs. */
    private static float[] values(Random random, int n, int c) {
        float[] x = new float[n];
        int kind = c % 11;
        for (int i = 0; i < n; i++) {
            x[i] = switch (kind) {
                case 0 -> 0f;
                case 1 -> 0.25f;
                case 2 -> (float) Math.abs(random.nextGaussian());
                case 3 -> (float) (random.nextGaussian() * 1e-20);
                case 4 -> (float) (random.nextGaussian() * Math.exp(random.nextGaussian() * 2));
                case 5 -> i == 3 ? 7f : (float) random.nextGaussian() * 0.01f;
                default -> (float) random.nextGaussian() * 0.05f;
            };
        }
        return x;
    }
}
