package io.llmopt.formats.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.testkit.SharedData;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reads the three shared Hugging Face directories and compares every tensor, bit for bit, with the llama2.c
 * checkpoint they were made from (read by an independent test helper, q/k permutation applied as the shared
 * README documents).
 */
class SharedHfModelsTest {

    @ParameterizedTest
    @CsvSource({
        "models/stories260K/stories260K-hf, models/stories260K/stories260K.bin, 64, 172",
        "models/llama2xs/llama2xs-hf, models/llama2xs/llama2xs.bin, 64, 192",
        "models/ref-tinystories/ref-tinystories-hf, models/ref-tinystories/ref-tinystories.bin, 256, 768",
    })
    void everyTensorEqualsTheLlama2cCheckpoint(String hfDir, String bin, int dim, int hidden) throws Exception {
        Path dir = SharedData.require(hfDir);
        Llama2cCheckpoint ckpt = Llama2cCheckpoint.read(SharedData.require(bin));
        assertThat(ckpt.dim()).isEqualTo(dim);
        assertThat(ckpt.hiddenDim()).isEqualTo(hidden);
        Map<String, Llama2cCheckpoint.Expected> expected = ckpt.hfTensors();
        try (SafetensorsFile st = SafetensorsFile.open(dir)) {
            assertThat(st.source()).isEqualTo(dir.resolve("model.safetensors"));
            assertThat(st.metadata()).containsEntry("format", "pt");
            assertThat(st.tensorNames()).hasSize(48).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (var e : expected.entrySet()) {
                Tensor t = st.tensor(e.getKey());
                assertThat(t.type()).as(e.getKey()).isEqualTo(GgmlType.F32);
                assertThat(t.shape()).as(e.getKey()).containsExactly(e.getValue().shape());
                FloatArrays.assertBitwiseEqual(e.getKey(), t.toFloatArray(), e.getValue().values());
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "model.embed_tokens.weight, 512, 64",
        "model.layers.0.self_attn.k_proj.weight, 32, 64",
        "model.layers.0.mlp.down_proj.weight, 64, 172",
        "model.layers.4.mlp.gate_proj.weight, 172, 64",
        "lm_head.weight, 512, 64",
    })
    void stories260kShapesAsDocumented(String name, long rows, long cols) {
        try (SafetensorsFile st = SafetensorsFile.open(SharedData.require("models/stories260K/stories260K-hf/model.safetensors"))) {
            assertThat(st.tensor(name).shape()).containsExactly(rows, cols);
            assertThat(st.findEntry(name)).get().extracting(SafetensorsEntry::dtype).isEqualTo(SafetensorsDtype.F32);
        }
    }

    /** Negative control: without the q/k permutation the stored q_proj does not match, so the check above has teeth. */
    @org.junit.jupiter.api.Test
    void unpermutedQueryWeightsDiffer() throws Exception {
        Llama2cCheckpoint ckpt = Llama2cCheckpoint.read(SharedData.require("models/stories260K/stories260K.bin"));
        float[] wq0 = java.util.Arrays.copyOf(ckpt.arrays().get("wq"), 64 * 64);
        try (SafetensorsFile st = SafetensorsFile.open(SharedData.require("models/stories260K/stories260K-hf"))) {
            float[] stored = st.tensor("model.layers.0.self_attn.q_proj.weight").toFloatArray();
            assertThat(java.util.Arrays.equals(stored, wq0)).isFalse();
            assertThat(java.util.Arrays.equals(stored, Llama2cCheckpoint.hfPermute(wq0, 8, 64, 64))).isTrue();
        }
    }
}
