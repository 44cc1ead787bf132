package io.llmopt.formats.bnb;

import java.util.Arrays;

/**
 * bitsandbytes' signed 8-bit "dynamic" code ({@code create_dynamic_map(signed=True, max_exponent_bits=7,
 * total_bits=8)}), used to double-quantize the 4-bit types' block absmax values: for i = 0..6 the 2^i midpoints
 * of {@code linspace(0.1, 1, 2^i + 1)} scaled by ±10^(i−6), plus 0 and 1, sorted — 256 values in [−1, 1].
 *
 * <p>Computed here in double and rounded to float32; bitsandbytes computes in float32, so a value may differ in
 * its last bit. The map is stored in every file ({@code nested_quant_map}) and readers decode with the stored
 * map, so files stay self-consistent either way.
 */
public final class DynamicMap {
    private static final float[] VALUES = build();

    private DynamicMap() {
    }

    private static float[] build() {
        double[] data = new double[256];
        int k = 0;
        for (int i = 0; i < 7; i++) {
            int items = (1 << i) + 1;
            double scale = Math.pow(10, -6 + i);
            for (int j = 0; j < items - 1; j++) {
                double a = 0.1 + 0.9 * j / (items - 1);
                double b = 0.1 + 0.9 * (j + 1) / (items - 1);
                double mean = (a + b) / 2;
                data[k++] = scale * mean;
                data[k++] = -scale * mean;
            }
        }
        data[k++] = 0;
        data[k++] = 1.0;
        if (k != 256) {
            throw new IllegalStateException("dynamic map has " + k + " values");
        }
        Arrays.sort(data);
        float[] v = new float[256];
        for (int i = 0; i < 256; i++) {
            v[i] = (float) data[i];
        }
        return v;
    }

    /** The 256 code values, ascending. */
    public static float[] values() {
        return VALUES.clone();
    }
}
