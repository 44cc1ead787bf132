package io.llmopt.formats.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.Codecs;
import io.llmopt.testkit.SharedData;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The quantized GGUFs of the shared folder against independent references: llama.cpp's own quantization
 * (the files' bytes), llama.cpp's gguf-py dequantization (kquant-reference.json), and the f32 originals.
 */
class QuantizedFilesTest {

    /** [quantized file, its f32 source]: every Q8_0/Q4_0 tensor was made by ggml's reference rounding. */
    private static final String[][] REFERENCE_QUANTIZED = {
        {"models/ref-tinystories/ref-tinystories-Q8_0-pure.gguf", "models/ref-tinystories/ref-tinystories-f32.gguf"},
        {"models/ref-tinystories/ref-tinystories-Q4_0-pure.gguf", "models/ref-tinystories/ref-tinystories-f32.gguf"},
        {"models/ref-tinystories/ref-tinystories-Q4_0.gguf", "models/ref-tinystories/ref-tinystories-f32.gguf"},
        {"models/stories260K/stories260K-Q8_0.gguf", "models/stories260K/stories260K-f32.gguf"},
        {"models/stories260K/stories260K-Q4_0.gguf", "models/stories260K/stories260K-f32.gguf"},
        {"models/llama2xs/llama2xs-Q8_0.gguf", "models/llama2xs/llama2xs-f32.gguf"},
        {"models/llama2xs/llama2xs-Q4_0.gguf", "models/llama2xs/llama2xs-f32.gguf"},
    };

    @Test
    void ourQ8_0AndQ4_0QuantizationIsByteIdenticalToLlamaCpp() {
        int tensors = 0;
        for (String[] pair : REFERENCE_QUANTIZED) {
            try (GgufFile quantized = GgufFile.open(SharedData.require(pair[0]));
                 GgufFile f32 = GgufFile.open(SharedData.require(pair[1]))) {
                for (Tensor q : quantized.tensors()) {
                    if (q.type() != GgmlType.Q8_0 && q.type() != GgmlType.Q4_0) {
                        continue;
                    }
                    Tensor source = f32.tensor(q.name());
                    assertThat(source.shape()).containsExactly(q.shape());
                    float[] x = source.toFloatArray();
                    byte[] ours = new byte[(int) q.byteSize()];
                    Codecs.of(q.type()).quantize(x, 0, x.length, MemorySegment.ofArray(ours), 0);
                    assertThat(ours).as(pair[0] + " " + q.name()).isEqualTo(q.data().toArray(ValueLayout.JAVA_BYTE));
                    tensors++;
                }
            }
        }
        System.out.println("Q8_0/Q4_0 tensors byte-identical to llama.cpp's: " + tensors);
        // ref-tinystories: 37, 37, 36 (output is Q6_K); stories260K: 48 − 11 norms − 5 F16 ffn_down = 32; llama2xs: 37
        assertThat(tensors).isEqualTo(37 + 37 + 36 + 32 + 32 + 37 + 37);
    }

    @Test
    void q8_0AndQ4_0DequantizationIsWithinOneStepOfTheF32Weights() {
        for (String[] pair : REFERENCE_QUANTIZED) {
            try (GgufFile quantized = GgufFile.open(SharedData.require(pair[0]));
                 GgufFile f32 = GgufFile.open(SharedData.require(pair[1]))) {
                for (Tensor q : quantized.tensors()) {
                    if (q.type() != GgmlType.Q8_0 && q.type() != GgmlType.Q4_0) {
                        continue;
                    }
                    float[] x = f32.tensor(q.name()).toFloatArray();
                    float[] y = q.toFloatArray();
                    for (int b = 0; b < x.length / 32; b++) {
                        float amax = 0;
                        for (int j = 0; j < 32; j++) {
                            amax = Math.max(amax, Math.abs(x[b * 32 + j]));
                        }
                        // Q8_0: half a step of amax/127; Q4_0: one step of amax/8 (clamp at +7); + fp16 rounding of d
                        double bound = q.type() == GgmlType.Q8_0 ? 0.5 * amax / 127 : amax / 8.0;
                        bound += amax * 0x1p-10;
                        for (int j = 0; j < 32; j++) {
                            int i = b * 32 + j;
                            if (Math.abs(y[i] - x[i]) > bound) {
                                throw new AssertionError(pair[0] + " " + q.name() + "[" + i + "]: " + y[i] + " vs f32 " + x[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void dequantizationMatchesLlamaCppGgufPy() {
        JsonNode reference = Fixtures.json("kquant-reference.json");
        Map<GgmlType, Double> maxSampleDiff = new EnumMap<>(GgmlType.class);
        Map<GgmlType, Double> maxSumSqDiff = new EnumMap<>(GgmlType.class);
        Map<GgmlType, Integer> tensors = new EnumMap<>(GgmlType.class);
        for (JsonNode file : reference.get("files")) {
            try (GgufFile gguf = GgufFile.open(SharedData.require(file.get("file").asText()))) {
                assertThat(gguf.tensorInfos()).hasSize(file.get("tensor_count").asInt());
                for (JsonNode t : file.get("tensors")) {
                    Tensor tensor = gguf.tensor(t.get("name").asText());
                    GgmlType type = tensor.type();
                    assertThat(type.name()).isEqualTo(t.get("type").asText());
                    float[] x = tensor.toFloatArray();
                    assertThat(x).hasSize(t.get("count").asInt());
                    double sum = 0;
                    double sumSq = 0;
                    for (float v : x) {
                        sum += v;
                        sumSq += (double) v * v;
                    }
                    double worst = 0;
                    for (int k = 0; k < t.get("indices").size(); k++) {
                        float expected = Fixtures.f32(t.get("values").get(k));
                        float actual = x[t.get("indices").get(k).asInt()];
                        worst = Math.max(worst, Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-30));
                        assertThat(actual).as("%s %s[%s]", file.get("file").asText(), tensor.name(), t.get("indices").get(k))
                                .isCloseTo(expected, org.assertj.core.data.Offset.offset(Math.abs(expected) * 1e-6f));
                    }
                    double sumScale = Math.sqrt(sumSq) * Math.sqrt(x.length); // bound on |Σx| rounding differences
                    assertThat(sum).as("sum of " + tensor.name()).isCloseTo(t.get("sum").asDouble(), org.assertj.core.data.Offset.offset(1e-9 * sumScale));
                    assertThat(sumSq).as("sum_sq of " + tensor.name()).isCloseTo(t.get("sum_sq").asDouble(), org.assertj.core.data.Offset.offset(1e-9 * sumSq));
                    maxSampleDiff.merge(type, worst, Math::max);
                    maxSumSqDiff.merge(type, Math.abs(sumSq - t.get("sum_sq").asDouble()) / sumSq, Math::max);
                    tensors.merge(type, 1, Integer::sum);
                }
            }
        }
        System.out.println("gguf-py comparison per type: tensors " + tensors + "; max relative difference of sampled values "
                + maxSampleDiff + "; of the sum of squares (summation order differs) " + maxSumSqDiff);
        assertThat(tensors.keySet()).contains(GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
                GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.F16);
    }

    /**
     * Relative RMS error (‖deq − w‖ / ‖w‖) of blk.*.ffn_gate.weight, which each file stores in its base type;
     * more bits must give a smaller error.
     */
    @Test
    void errorAgainstF32WeightsShrinksWithMoreBits() {
        String[][] files = {{"Q2_K", "Q2_K"}, {"Q3_K", "Q3_K_M"}, {"Q4_0", "Q4_0-pure"}, {"Q4_K", "Q4_K-pure"},
            {"Q5_K", "Q5_K_M"}, {"Q6_K", "Q6_K"}, {"Q8_0", "Q8_0"}};
        Map<GgmlType, Double> error = new EnumMap<>(GgmlType.class);
        try (GgufFile f32 = GgufFile.open(SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf"))) {
            for (String[] f : files) {
                try (GgufFile q = GgufFile.open(SharedData.require("models/ref-tinystories/ref-tinystories-" + f[1] + ".gguf"))) {
                    double err = 0;
                    double norm = 0;
                    for (int layer = 0; layer < 5; layer++) {
                        String name = "blk." + layer + ".ffn_gate.weight";
                        Tensor t = q.tensor(name);
                        assertThat(t.type().name()).isEqualTo(f[0]);
                        float[] y = t.toFloatArray();
                        float[] x = f32.tensor(name).toFloatArray();
                        for (int i = 0; i < x.length; i++) {
                            err += (double) (y[i] - x[i]) * (y[i] - x[i]);
                            norm += (double) x[i] * x[i];
                        }
                    }
                    error.put(GgmlType.byName(f[0]), Math.sqrt(err / norm));
                }
            }
        }
        System.out.println("relative RMS error vs f32 (ffn_gate, 5 layers): " + error);
        assertThat(error.get(GgmlType.Q8_0)).isLessThan(error.get(GgmlType.Q6_K));
        assertThat(error.get(GgmlType.Q6_K)).isLessThan(error.get(GgmlType.Q5_K));
        assertThat(error.get(GgmlType.Q5_K)).isLessThan(error.get(GgmlType.Q4_K));
        assertThat(error.get(GgmlType.Q4_K)).isLessThan(error.get(GgmlType.Q4_0));
        assertThat(error.get(GgmlType.Q4_K)).isLessThan(error.get(GgmlType.Q3_K));
        assertThat(error.get(GgmlType.Q3_K)).isLessThan(error.get(GgmlType.Q2_K));
        // sensible absolute ranges (a decoder that mixed up blocks would be far outside them)
        assertThat(error.get(GgmlType.Q8_0)).isBetween(0.001, 0.01);
        assertThat(error.get(GgmlType.Q6_K)).isBetween(0.005, 0.03);
        assertThat(error.get(GgmlType.Q4_K)).isBetween(0.02, 0.12);
        assertThat(error.get(GgmlType.Q2_K)).isBetween(0.1, 0.5);
    }
}
