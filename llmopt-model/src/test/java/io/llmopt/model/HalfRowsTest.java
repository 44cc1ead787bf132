package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The binary16 row operations of the f16 KV cache against values decoded on the bits and {@link Float#floatToFloat16}. */
class HalfRowsTest {

    /** Every binary16 bit pattern widens to the value its fields encode, decoded here on the bits in double precision. */
    @Test
    void toFloatsIsExactForEveryBinary16Value() {
        HalfRows.warmUp(); // the loop as C2 compiles it (the hardware conversion), not only as interpreted
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        float[] got = new float[all.length];
        HalfRows.toFloats(all, 0, got, 0, all.length);
        for (int i = 0; i < all.length; i++) {
            int sign = i >> 15, exponent = (i >> 10) & 31, mantissa = i & 1023;
            double magnitude = exponent == 0 ? Math.scalb((double) mantissa, -24)
                    : exponent == 31 ? (mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN)
                    : Math.scalb(1024.0 + mantissa, exponent - 25);
            if (Double.isNaN(magnitude)) {
                assertThat(got[i]).as("bits 0x%04x", i).isNaN();
                continue;
            }
            double want = sign == 1 ? -magnitude : magnitude;
            assertThat(Float.floatToRawIntBits(got[i])).as("bits 0x%04x", i).isEqualTo(Float.floatToRawIntBits((float) want));
        }
    }

    @Test
    void storeRoundsToNearestBinary16() {
        float[] x = {0f, -0f, 1f, 1f / 3, 65504f, 70000f, -1e-8f, 6.1035156e-5f, Float.NaN};
        short[] h = new short[x.length];
        HalfRows.store(x, 0, h, 0, x.length);
        for (int i = 0; i < x.length; i++) {
            assertThat(h[i]).isEqualTo(Float.floatToFloat16(x[i]));
        }
        assertThat(Float.float16ToFloat(h[5])).isInfinite();
        assertThat(Math.abs(Float.float16ToFloat(h[3]) - 1f / 3)).isLessThanOrEqualTo(1f / 3 * 0x1p-11f);
    }
}
