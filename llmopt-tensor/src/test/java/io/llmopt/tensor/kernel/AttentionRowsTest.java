package io.llmopt.tensor.kernel;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The many-row attention kernels against the one-row kernels they stand for, bit for bit: {@code dots} against
 * one {@code dot} per row, {@code axpys} against one {@code axpy} per row in order, {@code dots2} and {@code axpys2} against two such sequences — for lengths around every
 * vector boundary (tails, one vector, four vectors), row counts odd and even and around the blocks of L rows
 * that {@code dots} reduces together, strided rows at odd offsets; {@code axpysHeads} against one {@code axpy} per
 * head and row; {@code tileDots} against the scalar specification (the bits of a chain of fmas per score) and against
 * double-precision sums.
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

                for (int heads : new int[] {1, 3, 4, 7, 8, 9}) {
                    float[] alphaH = RandomWeights.gaussian(r, heads * (count + 3) + 2);
                    float[] yh = RandomWeights.gaussian(r, heads * (n + 2) + 5);
                    float[] yh2 = yh.clone();
                    v.axpysHeads(alphaH, 2, count + 3, heads, k, 7, stride, count, yh, 5, n + 2, n);
                    for (int h = 0; h < heads; h++) {
                        for (int i = 0; i < count; i++) {
                            v.axpy(alphaH[2 + h * (count + 3) + i], k, 7 + i * stride, yh2, 5 + h * (n + 2), n);
                        }
                    }
                    BatchInvarianceTest.assertBits(yh, yh2, "axpysHeads heads=" + heads + " n=" + n + " count=" + count);
                }

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

    /**
     * Keys in tiles of width W ([n][W] per tile, tiles one after another): every score has the bits of the scalar
     * specification, for widths that are and are not multiples of the vector length, ranges starting inside a tile and
     * crossing tiles, head counts around the kernel's blocks of 4 and 8, and outputs the kernel must not write around
     * them; and each score is within float rounding of the double-precision dot product.
     */
    /**
     * {@code tileDotsAt} (tiles scattered as a paged cache's blocks, in shuffled order with gaps between them) gives
     * the specification's bits in the vector kernels, and the bits of {@code tileDots} on the same tiles laid end to end.
     */
    @Test
    void tileDotsAtGivesTheBitsOfContiguousTiles() {
        VectorKernels v = new VectorKernels();
        Kernels spec = new ScalarKernels();
        Random r = new Random(29);
        for (int width : new int[] {3, 8, 16, 32, 64}) {
            for (int n : new int[] {1, 5, 64, 128}) {
                for (int heads : new int[] {1, 2, 4, 5, 8, 9}) {
                    for (int[] lc : new int[][] {{0, 1}, {0, 16}, {0, 64}, {5, 11}, {3, 70}, {13, 133}, {17, 200}}) {
                        int lane = lc[0], count = lc[1];
                        int tiles = (lane + count + width - 1) / width;
                        int tileLength = n * width, gap = 7;
                        float[] contiguous = RandomWeights.gaussian(r, 6 + tiles * tileLength);
                        float[] scattered = RandomWeights.gaussian(r, 3 + tiles * (tileLength + gap));
                        int[] slot = new int[tiles]; // tile i goes to slot order[i]: a shuffled block table
                        for (int i = 0; i < tiles; i++) {
                            slot[i] = i;
                        }
                        for (int i = tiles - 1; i > 0; i--) {
                            int j = r.nextInt(i + 1), x = slot[i];
                            slot[i] = slot[j];
                            slot[j] = x;
                        }
                        int[] at = new int[2 + tiles];
                        for (int i = 0; i < tiles; i++) {
                            at[2 + i] = 3 + slot[i] * (tileLength + gap);
                            System.arraycopy(contiguous, 6 + i * tileLength, scattered, at[2 + i], tileLength);
                        }
                        int qs = n + 3, os = count + 5;
                        float[] q = RandomWeights.gaussian(r, 2 + heads * qs);
                        float[] got = RandomWeights.gaussian(r, 4 + heads * os);
                        float[] want = got.clone(), ends = got.clone();
                        v.tileDotsAt(q, 2, qs, heads, scattered, at, 2, width, lane, count, n, got, 4, os);
                        spec.tileDotsAt(q, 2, qs, heads, scattered, at, 2, width, lane, count, n, want, 4, os);
                        spec.tileDots(q, 2, qs, heads, contiguous, 6, width, lane, count, n, ends, 4, os);
                        String what = "tileDotsAt width=" + width + " n=" + n + " heads=" + heads + " lane=" + lane + " count=" + count;
                        BatchInvarianceTest.assertBits(want, ends, what + " (specification against end-to-end tiles)");
                        BatchInvarianceTest.assertBits(got, want, what);
                    }
                }
            }
        }
    }

    @Test
    void tileDotsGiveTheSpecificationsBits() {
        VectorKernels v = new VectorKernels();
        Kernels spec = new ScalarKernels();
        Random r = new Random(23);
        for (int width : new int[] {3, 4, 16, 32, 64}) {
            for (int n : new int[] {1, 5, 8, 64, 100, 128}) {
                for (int heads : new int[] {1, 2, 4, 5, 8, 9}) {
                    for (int[] lc : new int[][] {{0, 0}, {0, 1}, {0, 16}, {0, 64}, {5, 11}, {3, 70}, {13, 133}, {17, 200}}) {
                        int lane = lc[0], count = lc[1];
                        int tiles = (lane + count + width - 1) / width + 1;
                        float[] t = RandomWeights.gaussian(r, 6 + tiles * n * width);
                        int qs = n + 3, os = count + 5;
                        float[] q = RandomWeights.gaussian(r, 2 + heads * qs);
                        float[] got = RandomWeights.gaussian(r, 4 + heads * os);
                        float[] want = got.clone();
                        v.tileDots(q, 2, qs, heads, t, 6, width, lane, count, n, got, 4, os);
                        spec.tileDots(q, 2, qs, heads, t, 6, width, lane, count, n, want, 4, os);
                        String what = "tileDots width=" + width + " n=" + n + " heads=" + heads + " lane=" + lane + " count=" + count;
                        BatchInvarianceTest.assertBits(got, want, what);
                        for (int h = 0; h < heads; h++) {
                            for (int i = 0; i < count; i++) {
                                int l = lane + i, k = 6 + l / width * n * width + l % width;
                                double exact = 0, magnitude = 0;
                                for (int d = 0; d < n; d++) {
                                    double p = (double) q[2 + h * qs + d] * t[k + d * width];
                                    exact += p;
                                    magnitude += Math.abs(p);
                                }
                                double error = Math.abs(want[4 + h * os + i] - exact);
                                if (error > (n + 1) * 0x1p-24 * magnitude) { // the textbook bound for n rounded fmas
                                    throw new AssertionError(what + ": score " + h + "," + i + " = " + want[4 + h * os + i] + ", exact " + exact);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * {@link SoftmaxRows#softmax} against its scalar twin bit for bit (lengths around 16 and every vector length,
     * odd offsets, scores with a wide range) and against a double-precision softmax.
     */
    @Test
    void softmaxGivesItsScalarTwinsBits() {
        Random r = new Random(29);
        for (int n : new int[] {1, 2, 3, 4, 5, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 2049}) {
            for (int o : new int[] {0, 3}) {
                float[] s = new float[o + n + 2];
                for (int i = 0; i < s.length; i++) {
                    s[i] = (float) (r.nextGaussian() * 12);
                }
                float[] want = s.clone();
                float[] scores = s.clone();
                float c = 0.125f;
                SoftmaxRows.softmax(s, o, n, c);
                SoftmaxRows.softmaxScalar(want, o, n, c);
                BatchInvarianceTest.assertBits(s, want, "softmax n=" + n + " o=" + o);
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < n; i++) {
                    max = Math.max(max, (double) (scores[o + i] * c));
                }
                for (int i = 0; i < n; i++) {
                    sum += Math.exp(scores[o + i] * c - max);
                }
                for (int i = 0; i < n; i++) {
                    double exact = Math.exp(scores[o + i] * c - max) / sum;
                    if (Math.abs(s[o + i] - exact) > 1e-6 * exact + 1e-12) {
                        throw new AssertionError("softmax n=" + n + " o=" + o + " i=" + i + ": " + s[o + i] + ", exact " + exact);
                    }
                }
            }
        }
    }
}
