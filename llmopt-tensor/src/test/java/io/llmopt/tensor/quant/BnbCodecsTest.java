package io.llmopt.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.assertj.core.data.Offset;

/** The bitsandbytes-style in-memory types: layouts, rounding, error bounds, LLM.int8's decomposed product. */
class BnbCodecsTest {

    private static float[] gaussian(int n, long seed, double std) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * std);
        }
        return x;
    }

    @Test
    void fourBitTypesAreNotGgufTypes() {
        for (GgmlType t : new GgmlType[] {GgmlType.NF4, GgmlType.FP4, GgmlType.INT8}) {
            assertThat(t.isGguf()).isFalse();
            assertThat(Codecs.of(t).canQuantize()).isTrue();
        }
        assertThat(GgmlType.NF4.byteSize(64)).isEqualTo(36);
        assertThat(GgmlType.INT8.byteSize(64)).isEqualTo(72);
        assertThat(FourBitCodec.FP4).containsExactly(0f, 0.0625f / 12, 8f / 12, 1f, 4f / 12, 0.5f, 2f / 12, 0.25f,
                -0f, -0.0625f / 12, -8f / 12, -1f, -4f / 12, -0.5f, -2f / 12, -0.25f);
    }

    @Test
    void fourBitBlocksHoldAbsmaxAndNearestCodesHighNibbleFirst() {
        for (GgmlType t : new GgmlType[] {GgmlType.NF4, GgmlType.FP4}) {
            FourBitCodec codec = (FourBitCodec) Codecs.of(t);
            float[] table = codec.table();
            float[] x = gaussian(64 * 5, 3, 0.02);
            x[7] = -0.5f; // the largest magnitude of block 0: code of −1
            byte[] out = new byte[(int) t.byteSize(x.length)];
            MemorySegment seg = MemorySegment.ofArray(out);
            codec.quantize(x, 0, x.length, seg, 0);
            assertThat(seg.get(io.llmopt.tensor.Layouts.FLOAT, 0)).isEqualTo(0.5f);
            int code7 = out[4 + 3] & 0x0F; // element 7 = low nibble of byte 3
            assertThat(table[code7]).isEqualTo(-1f);
            float[] back = new float[x.length];
            codec.dequantize(seg, 0, back, 0, x.length);
            for (int b = 0; b < 5; b++) {
                float absmax = 0;
                for (int j = 0; j < 64; j++) {
                    absmax = Math.max(absmax, Math.abs(x[b * 64 + j]));
                }
                for (int j = 0; j < 64; j++) {
                    float s = x[b * 64 + j] / absmax;
                    int k = FourBitCodec.nearest(table, s);
                    assertThat(back[b * 64 + j]).as("%s block %d value %d", t, b, j).isEqualTo(table[k] * absmax);
                }
            }
        }
    }

    @Test
    void allZeroBlocksDecodeToZero() {
        for (GgmlType t : new GgmlType[] {GgmlType.NF4, GgmlType.FP4, GgmlType.INT8}) {
            float[] x = new float[64];
            byte[] out = new byte[(int) t.byteSize(64)];
            Codecs.of(t).quantize(x, 0, 64, MemorySegment.ofArray(out), 0);
            float[] back = new float[64];
            Codecs.of(t).dequantize(MemorySegment.ofArray(out), 0, back, 0, 64);
            assertThat(back).containsOnly(0f);
        }
    }

    @Test
    void int8KeepsOneRowScaleAndRoundsHalfToEven() {
        float[] x = {127f, 0.5f, 1.5f, 2.5f, -2.5f, -127f, 63.5f, 0f};
        float[] row = new float[32];
        System.arraycopy(x, 0, row, 0, x.length);
        byte[] out = new byte[36];
        Codecs.of(GgmlType.INT8).quantize(row, 0, 32, MemorySegment.ofArray(out), 0);
        assertThat(MemorySegment.ofArray(out).get(io.llmopt.tensor.Layouts.FLOAT, 0)).isEqualTo(127f);
        assertThat(new byte[] {out[4], out[5], out[6], out[7], out[8], out[9], out[10]})
                .containsExactly(127, 0, 2, 2, -2, -127, 64);
    }

    @Test
    void int8ProductIsLlmInt8sDecomposition() {
        int n = 256;
        float[] w = gaussian(n, 5, 0.05);
        float[] x = gaussian(n, 6, 1.0);
        x[10] = 9f; // outlier columns, computed in float
        x[200] = -7f;
        byte[] out = new byte[(int) GgmlType.INT8.byteSize(n)];
        MemorySegment seg = MemorySegment.ofArray(out);
        BlockCodec codec = Codecs.of(GgmlType.INT8);
        codec.quantize(w, 0, n, seg, 0);
        float[] wq = new float[n];
        codec.dequantize(seg, 0, wq, 0, n);
        float wAbsmax = seg.get(io.llmopt.tensor.Layouts.FLOAT, 0);
        float xAbsmax = 0;
        for (float v : x) {
            if (Math.abs(v) < 6f) {
                xAbsmax = Math.max(xAbsmax, Math.abs(v));
            }
        }
        long acc = 0;
        double outliers = 0;
        for (int i = 0; i < n; i++) {
            int q = out[4 + (i / 32) * 36 + i % 32];
            if (Math.abs(x[i]) >= 6f) {
                outliers += x[i] * wq[i];
            } else {
                acc += (long) q * Math.round(Math.rint(x[i] * (127f / xAbsmax)));
            }
        }
        double expected = acc * (double) wAbsmax * xAbsmax / (127.0 * 127.0) + outliers;
        float got = codec.dot(seg, 0, x, 0, n);
        assertThat((double) got).isCloseTo(expected, Offset.offset(1e-4 * (1 + Math.abs(expected))));
        double exact = 0;
        for (int i = 0; i < n; i++) {
            exact += (double) w[i] * x[i];
        }
        assertThat((double) got).isCloseTo(exact, Offset.offset(0.02 * Math.sqrt(n) * 0.05));
    }
}
