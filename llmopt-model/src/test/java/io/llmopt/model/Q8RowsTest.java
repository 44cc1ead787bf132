package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Q8_0 row operations: the store against the tensor module's Q8_0 codec (ggml's reference quantizer, written
 * independently) byte for byte and against hand-computed ties; the conversions to float32, a row and a key tile
 * (vector path, at the width this JVM runs: the build also runs this class at 128, 256 and 512 bits and forced
 * scalar), against their scalar twins and the codec, on awkward sizes and offsets.
 */
class Q8RowsTest {

    @Test
    void storeMatchesTheQ8_0CodecByteForByte() {
        System.out.println("Q8RowsTest: path " + Q8Rows.path());
        SplittableRandom r = new SplittableRandom(3);
        try (Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {32, 64, 96, 256, 1024}) {
                float[] x = new float[n + 5];
                for (int i = 0; i < x.length; i++) {
                    double scale = i % 64 < 32 ? 1e-3 : 40; // small and large blocks
                    x[i] = (float) (r.nextGaussian() * scale);
                }
                if (n >= 64) {
                    java.util.Arrays.fill(x, 5 + 32, 5 + 64, 0f); // an all-zero block: d = 0, q = 0
                }
                byte[] q = new byte[n + 64];
                short[] d = new short[(n + 64) / 32];
                Q8Rows.quantize(x, 5, q, d, 32, n);
                MemorySegment ref = arena.allocate(GgmlType.Q8_0.byteSize(n));
                Codecs.of(GgmlType.Q8_0).quantize(x, 5, n, ref, 0);
                for (int b = 0; b < n / 32; b++) {
                    long at = (long) b * Q8Rows.BLOCK_BYTES;
                    assertThat(d[1 + b]).as("n=%d scale of block %d", n, b).isEqualTo(ref.get(Layouts.SHORT, at));
                    for (int j = 0; j < 32; j++) {
                        assertThat(q[32 + b * 32 + j]).as("n=%d block %d quant %d", n, b, j).isEqualTo(ref.get(Layouts.BYTE, at + 2 + j));
                    }
                }
                assertThat(d[0]).isZero(); // nothing written before the offset
                assertThat(q[31]).isZero();
            }
        }
    }

    @Test
    void storeRoundsHalvesAwayFromZeroLikeRoundf() {
        // max|x| = 127 gives d = 1 and 1/d = 1, so x·(1/d) = x exactly: the halves are true ties
        float[] x = new float[32];
        float[] in = {127f, 2.5f, -2.5f, 0.5f, -0.5f, -126.5f, 1.49999988f, -3.5f, 0.49999997f};
        int[] want = {127, 3, -3, 1, -1, -127, 1, -4, 0};
        System.arraycopy(in, 0, x, 0, in.length);
        byte[] q = new byte[32];
        short[] d = new short[1];
        Q8Rows.quantize(x, 0, q, d, 0, 32);
        assertThat(Float.float16ToFloat(d[0])).isEqualTo(1f);
        for (int i = 0; i < want.length; i++) {
            assertThat(q[i]).as("round(%s)", in[i]).isEqualTo((byte) want[i]);
        }
        assertThat(Q8Rows.roundHalfAwayFromZero(-0f)).isZero();
        assertThat(Q8Rows.roundHalfAwayFromZero(126.50001f)).isEqualTo(127);
    }

    @Test
    void dequantizedValuesAreWithinHalfAStepOfTheInput() {
        SplittableRandom r = new SplittableRandom(9);
        float[] x = new float[128];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * 7);
        }
        byte[] q = new byte[128];
        short[] d = new short[4];
        Q8Rows.quantize(x, 0, q, d, 0, 128);
        float[] y = new float[128];
        Q8Rows.toFloats(q, d, 0, y, 0, 128);
        for (int b = 0; b < 4; b++) {
            float amax = 0f;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            }
            float step = amax / 127f;
            for (int j = 0; j < 32; j++) {
                // half a step, plus the binary16 rounding of the scale (relative 2^-11 of a value ≤ amax)
                assertThat(Math.abs(y[b * 32 + j] - x[b * 32 + j])).isLessThanOrEqualTo(step / 2 + amax * 0x1p-11f + 1e-7f);
            }
        }
    }

    @Test
    void toFloatsMatchesItsScalarTwinAndTheCodec() {
        SplittableRandom r = new SplittableRandom(4);
        float[] x = new float[320];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextGaussian() * (i % 64 < 32 ? 1e-3 : 40));
        }
        byte[] q = new byte[x.length];
        short[] d = new short[x.length / 32];
        Q8Rows.quantize(x, 0, q, d, 0, x.length);
        for (int[] c : new int[][] {{0, 320}, {32, 64}, {64, 128}, {8, 8}, {3, 29}, {31, 33}}) {
            float[] got = new float[c[1]];
            float[] want = new float[c[1]];
            Q8Rows.toFloats(q, d, c[0], got, 0, c[1]);
            Q8Rows.toFloatsScalar(q, d, c[0], want, 0, c[1]);
            for (int j = 0; j < c[1]; j++) {
                float codec = q[c[0] + j] * Float.float16ToFloat(d[(c[0] + j) >> 5]);
                assertThat(Float.floatToRawIntBits(want[j])).isEqualTo(Float.floatToRawIntBits(codec));
                assertThat(Float.floatToRawIntBits(got[j])).as("o=%d n=%d j=%d", c[0], c[1], j).isEqualTo(Float.floatToRawIntBits(want[j]));
            }
        }
    }
    /**
     * A key tile ([headDim][width] quants of width positions, each position's kv row quantized as a row) against its
     * scalar twin and against toFloats on each position's row: heads inside one block, spanning blocks, and smaller
     * than a block; widths that take the vector body (16, 32) and one that does not (8).
     */
    @Test
    void tileToFloatsMatchesItsScalarTwinAndTheRows() {
        SplittableRandom r = new SplittableRandom(5);
        for (int[] shape : new int[][] {{4, 64}, {2, 96}, {4, 8}}) { // kv heads, head size
            int heads = shape[0], hd = shape[1], kvDim = heads * hd, perRow = kvDim / 32;
            for (int width : new int[] {8, 16, 32}) {
                float[] x = new float[width * kvDim];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) (r.nextGaussian() * (i % 64 < 32 ? 1e-3 : 40));
                }
                byte[] rowsQ = new byte[x.length];
                short[] scales = new short[x.length / 32];
                Q8Rows.quantize(x, 0, rowsQ, scales, 0, x.length); // row j of the block at j·kvDim
                for (int g = 0; g < heads; g++) {
                    byte[] tile = new byte[3 + hd * width];
                    for (int j = 0; j < width; j++) {
                        for (int c = 0; c < hd; c++) {
                            tile[3 + c * width + j] = rowsQ[j * kvDim + g * hd + c];
                        }
                    }
                    float[] got = new float[1 + hd * width];
                    float[] want = new float[1 + hd * width];
                    Q8Rows.tileToFloats(tile, 3, scales, 0, perRow, g * hd, width, hd, got, 1, new float[2 + (hd / 32 + 2) * width], 2);
                    Q8Rows.tileToFloatsScalar(tile, 3, scales, 0, perRow, g * hd, width, hd, want, 1);
                    float[] row = new float[hd];
                    for (int j = 0; j < width; j++) {
                        Q8Rows.toFloatsScalar(rowsQ, scales, j * kvDim + g * hd, row, 0, hd);
                        for (int c = 0; c < hd; c++) {
                            String what = "heads=" + heads + " hd=" + hd + " width=" + width + " g=" + g + " j=" + j + " c=" + c;
                            assertThat(Float.floatToRawIntBits(want[1 + c * width + j])).as(what).isEqualTo(Float.floatToRawIntBits(row[c]));
                            assertThat(Float.floatToRawIntBits(got[1 + c * width + j])).as(what).isEqualTo(Float.floatToRawIntBits(row[c]));
                        }
                    }
                }
            }
        }
    }
}
