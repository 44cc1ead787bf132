package io.llmopt.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Properties of the block codecs that hold for any input: error bounds, sizes, offsets, argument checks. */
class QuantCodecsTest {
    private static final GgmlType[] BLOCK_TYPES = {GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
        GgmlType.Q8_K};

    @Test
    void everyLlamaCppQuantTypeIsRegistered() {
        for (GgmlType t : BLOCK_TYPES) {
            assertThat(Codecs.of(t).type()).isEqualTo(t);
        }
    }

    @Test
    void q8_0AndQ4_0RoundTripWithinHalfAStepOrOneStep() {
        Random random = new Random(11);
        int n = 32 * 37;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (random.nextGaussian() * Math.exp(random.nextGaussian()));
        }
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
            BlockCodec codec = Codecs.of(type);
            MemorySegment seg = MemorySegment.ofArray(new byte[(int) type.byteSize(n) + 1]);
            codec.quantize(x, 0, n, seg, 1);
            float[] back = new float[n];
            codec.dequantize(seg, 1, back, 0, n);
            for (int b = 0; b < n / 32; b++) {
                float amax = 0;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(x[b * 32 + j]));
                }
                // Q8_0: step amax/127, rounding error ≤ step/2; Q4_0: step amax/8 and the side opposite the
                // max is clamped at +7 steps, so ≤ one step. fp16 rounding of d adds up to 2^-11 relative.
                double step = type == GgmlType.Q8_0 ? amax / 127.0 : amax / 8.0;
                double bound = (type == GgmlType.Q8_0 ? 0.5 : 1.0) * step + amax * 0x1p-10;
                for (int j = 0; j < 32; j++) {
                    assertThat((double) Math.abs(back[b * 32 + j] - x[b * 32 + j])).isLessThanOrEqualTo(bound);
                }
            }
        }
    }

    @Test
    void dotEqualsTheSumOfDequantizedProducts() {
        Random random = new Random(5);
        try (Arena arena = Arena.ofConfined()) {
            for (GgmlType type : BLOCK_TYPES) {
                int n = type.blockSize() * 3;
                byte[] raw = new byte[(int) type.byteSize(n)];
                random.nextBytes(raw);
                MemorySegment seg = arena.allocate(raw.length);
                MemorySegment.copy(MemorySegment.ofArray(raw), 0, seg, 0, raw.length);
                float[] w = new float[n];
                Codecs.of(type).dequantize(seg, 0, w, 0, n);
                float[] x = new float[n + 1];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                double expected = 0;
                boolean finite = true;
                for (int i = 0; i < n; i++) {
                    expected += (double) w[i] * x[i + 1];
                    finite &= Float.isFinite(w[i]);
                }
                if (finite) {
                    double got = Codecs.of(type).dot(seg, 0, x, 1, n);
                    assertThat(got).as(type.toString()).isCloseTo(expected,
                            org.assertj.core.data.Offset.offset(1e-3 * (1 + Math.abs(expected))));
                }
            }
        }
    }

    @Test
    void zeroValuesIsANoOpAndPartialBlocksAreRejected() {
        for (GgmlType type : BLOCK_TYPES) {
            BlockCodec codec = Codecs.of(type);
            codec.dequantize(MemorySegment.NULL, 0, new float[0], 0, 0);
            assertThatThrownBy(() -> codec.dequantize(MemorySegment.ofArray(new byte[1024]), 0, new float[512], 0,
                    type.blockSize() + 1))
                    .isInstanceOf(LlmoptException.class)
                    .hasMessageContaining("not a multiple of the block size " + type.blockSize());
        }
    }

    @Test
    void everyBlockTypeQuantizes() {
        for (GgmlType type : BLOCK_TYPES) {
            assertThat(Codecs.of(type).canQuantize()).as(type.toString()).isTrue();
        }
    }
}
