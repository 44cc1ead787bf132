package io.llmopt.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The vector half-precision row operations against their scalar twins and {@link Float#float16ToFloat}. */
class HalfRowsTest {

    @Test
    void widenIsExactForEveryBinary16Value() {
        short[] all = new short[65536 + 64];
        for (int i = 0; i < 65536; i++) {
            all[i] = (short) i;
        }
        int lanes = 64;
        for (int i = 0; i < 65536; i += 8) {
            float[] got = new float[lanes];
            HalfRows.widen(all, i).intoArray(got, 0);
            int n = Math.min(got.length, jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());
            for (int j = 0; j < n; j++) {
                float want = Float.float16ToFloat(all[i + j]);
                if (Float.isNaN(want)) {
                    // float16ToFloat quiets a signalling NaN (as the F16C instruction does); any NaN will do
                    assertThat(got[j]).as("bits 0x%04x", i + j).isNaN();
                    continue;
                }
                assertThat(Float.floatToRawIntBits(got[j])).as("bits 0x%04x", i + j).isEqualTo(Float.floatToRawIntBits(want));
            }
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

    @Test
    void toFloatsWidensExactlyLikeItsScalarTwin() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) i;
        }
        for (int[] c : new int[][] {{0, 65536}, {3, 61}, {16, 64}, {100, 7}, {65530, 6}}) {
            float[] got = new float[c[1] + 2];
            float[] want = new float[c[1] + 2];
            HalfRows.toFloats(all, c[0], got, 1, c[1]);
            HalfRows.toFloatsScalar(all, c[0], want, 1, c[1]);
            for (int j = 0; j < got.length; j++) {
                if (Float.isNaN(want[j])) {
                    assertThat(got[j]).as("offset %d + %d", c[0], j).isNaN(); // any NaN (see above)
                } else {
                    assertThat(Float.floatToRawIntBits(got[j])).as("offset %d + %d", c[0], j).isEqualTo(Float.floatToRawIntBits(want[j]));
                }
            }
        }
    }
}
