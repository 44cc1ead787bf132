package io.llmopt.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FloatCodecsTest {

    @Test
    void bf16RoundsToNearestEven() {
        // 1 + 2^-8 is exactly half-way between two bf16 values: ties go to the even mantissa (1.0)
        assertThat(BF16Codec.toFloat(BF16Codec.fromFloat(1f + 0x1p-8f))).isEqualTo(1f);
        // 1 + 3·2^-8 is half-way between 1+2^-7 (odd) and 1+2^-6 (even)
        assertThat(BF16Codec.toFloat(BF16Codec.fromFloat(1f + 3 * 0x1p-8f))).isEqualTo(1f + 0x1p-6f);
        assertThat(BF16Codec.toFloat(BF16Codec.fromFloat(1f + 0x1p-8f + 0x1p-20f))).isEqualTo(1f + 0x1p-7f);
        assertThat(Float.isNaN(BF16Codec.toFloat(BF16Codec.fromFloat(Float.NaN)))).isTrue();
        assertThat(BF16Codec.toFloat(BF16Codec.fromFloat(Float.NEGATIVE_INFINITY))).isEqualTo(Float.NEGATIVE_INFINITY);
    }

    @Test
    void roundTripsStayWithinTheTypePrecision() {
        Random random = new Random(7);
        int n = 37;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian() * 3f;
        }
        try (Arena arena = Arena.ofConfined()) {
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16}) {
                BlockCodec codec = Codecs.of(type);
                MemorySegment seg = arena.allocate(type.byteSize(n) + 3);
                codec.quantize(x, 0, n, seg, 3); // unaligned offset
                float[] back = new float[n + 1];
                codec.dequantize(seg, 3, back, 1, n);
                double relTol = type == GgmlType.F32 ? 0 : type == GgmlType.F16 ? 0x1p-11 : 0x1p-8;
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    assertThat((double) back[i + 1]).isCloseTo(x[i], org.assertj.core.data.Offset.offset(Math.abs(x[i]) * relTol + 1e-30));
                    dot += back[i + 1] * x[i];
                }
                assertThat((double) codec.dot(seg, 3, x, 0, n)).isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-3));
            }
        }
    }
}
