package io.llmopt.compress.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.compress.imatrix.ImportanceMatrix;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The per-tensor type rules against llama-quantize b4747 on a 32-layer model ({@code mix32-types.txt.gz}: every
 * mix, and the imatrix-only rules), deep enough for all the layer-dependent rules (first/last eighth, every
 * third layer, first sixteenth) and with GQA 4 (the Q2_K attn_v rule). Shapes only: no data is quantized.
 */
class MixRulesTest {
    private static final int LAYERS = 32;

    /** The tensors of the 32-layer model in llama.cpp's order, with their row-major shapes. */
    static SourceModel model() {
        List<SourceModel.SourceTensor> t = new ArrayList<>();
        add(t, "output.weight", 512, 256);
        add(t, "output_norm.weight", 256);
        add(t, "token_embd.weight", 512, 256);
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            add(t, p + "attn_k.weight", 64, 256);
            add(t, p + "attn_norm.weight", 256);
            add(t, p + "attn_output.weight", 256, 256);
            add(t, p + "attn_q.weight", 256, 256);
            add(t, p + "attn_v.weight", 64, 256);
            add(t, p + "ffn_down.weight", 256, 512);
            add(t, p + "ffn_gate.weight", 512, 256);
            add(t, p + "ffn_norm.weight", 256);
            add(t, p + "ffn_up.weight", 512, 256);
        }
        t.sort(SourceModel.LLAMA_CPP_ORDER);
        return new SourceModel("mix32", new SourceModel.Shape("llama", LAYERS, 8, 2, true),
                io.llmopt.formats.gguf.GgufMetadata.empty("test"), t);
    }

    private static void add(List<SourceModel.SourceTensor> t, String name, long... shape) {
        t.add(new SourceModel.SourceTensor(name, shape, GgmlType.F32, (row, dst) -> { }, null));
    }

    /** mix name (+ " imatrix") → tensor → type, as llama-quantize chose them. */
    static Map<String, Map<String, String>> expected() throws IOException {
        Map<String, Map<String, String>> mixes = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(MixRulesTest.class.getResourceAsStream("mix32-types.txt.gz"))) {
            Map<String, String> current = null;
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split(" ");
                if (f[0].equals("mix")) {
                    current = new LinkedHashMap<>();
                    mixes.put(f[1] + (f.length > 2 ? " " + f[2] : ""), current);
                } else {
                    current.put(f[0], f[1]);
                }
            }
        }
        return mixes;
    }

    @Test
    void everyMixChoosesLlamaQuantizesTypeForEveryTensor() throws IOException {
        SourceModel model = model();
        Map<String, float[]> ones = new LinkedHashMap<>();
        for (SourceModel.SourceTensor t : model.tensors()) {
            if (t.name().startsWith("blk.") && t.shape().length == 2) {
                ones.put(t.name(), new float[(int) t.cols()]);
            }
        }
        ImportanceMatrix imatrix = new ImportanceMatrix("all-ones.dat", ones, 1, "synthetic");
        Map<String, Map<String, String>> expected = expected();
        assertThat(expected).hasSize(14);
        for (Map.Entry<String, Map<String, String>> mix : expected.entrySet()) {
            boolean imat = mix.getKey().endsWith(" imatrix");
            QuantMix m = QuantMix.parse(mix.getKey().replace(" imatrix", ""));
            List<QuantizePlan.TensorPlan> plans = QuantizePlan.of(model, QuantizeOptions.of(m), imat ? imatrix : null);
            Map<String, String> ours = new LinkedHashMap<>();
            for (QuantizePlan.TensorPlan p : plans) {
                if (p.source().shape().length == 2) {
                    ours.put(p.source().name(), p.type().name());
                }
            }
            assertThat(ours).as(mix.getKey()).isEqualTo(mix.getValue());
        }
    }

    @Test
    void q2_K_SWithoutAnImportanceMatrixIsRefusedAsByLlamaQuantize() {
        assertThatThrownBy(() -> QuantizePlan.of(model(), QuantizeOptions.of(QuantMix.Q2_K_S), null))
                .isInstanceOf(LlmoptException.class)
                .hasMessageContaining("Q2_K_S needs an importance matrix");
    }

    @Test
    void overridesOutputAndEmbeddingTypesApplyAfterTheMix() {
        QuantizeOptions o = new QuantizeOptions(QuantMix.Q4_K_M, null, false, false, GgmlType.Q8_0, GgmlType.Q6_K,
                List.of(TensorTypeOverride.parse("attn_q=q5_k"), TensorTypeOverride.parse("blk\\.1\\..*=f16")), 1);
        Map<String, GgmlType> types = new LinkedHashMap<>();
        for (QuantizePlan.TensorPlan p : QuantizePlan.of(model(), o, null)) {
            types.put(p.source().name(), p.type());
        }
        assertThat(types.get("output.weight")).isEqualTo(GgmlType.Q8_0);
        assertThat(types.get("token_embd.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(types.get("blk.0.attn_q.weight")).isEqualTo(GgmlType.Q5_K);
        assertThat(types.get("blk.1.attn_q.weight")).isEqualTo(GgmlType.Q5_K); // first matching rule wins
        assertThat(types.get("blk.1.ffn_up.weight")).isEqualTo(GgmlType.F16);
        assertThat(types.get("blk.1.ffn_norm.weight")).isEqualTo(GgmlType.F32); // norms are never quantized
        assertThat(types.get("blk.2.ffn_up.weight")).isEqualTo(GgmlType.Q4_K);
    }

    @Test
    void pureAndLeaveOutput() {
        QuantizeOptions pure = new QuantizeOptions(QuantMix.Q4_K_M, null, true, true, null, null, List.of(), 1);
        for (QuantizePlan.TensorPlan p : QuantizePlan.of(model(), pure, null)) {
            GgmlType expected = p.source().shape().length == 1 || p.source().name().equals("output.weight") ? GgmlType.F32 : GgmlType.Q4_K;
            assertThat(p.type()).as(p.source().name()).isEqualTo(expected);
        }
    }

    @Test
    void badTypeNamesAreOneLineErrors() {
        assertThatThrownBy(() -> QuantMix.parse("Q4_K_X")).isInstanceOf(LlmoptException.class)
                .hasMessageStartingWith("unknown quantization type 'Q4_K_X' (expected one of F32, F16, BF16, Q4_0");
        assertThatThrownBy(() -> TensorTypeOverride.parse("attn_q")).isInstanceOf(LlmoptException.class)
                .hasMessage("--tensor-type wants PATTERN=TYPE (e.g. attn_v=q8_0), got 'attn_q'");
        assertThatThrownBy(() -> TensorTypeOverride.parse("attn_q=q9_9")).isInstanceOf(LlmoptException.class)
                .hasMessage("--tensor-type: unknown tensor type 'q9_9'");
        assertThatThrownBy(() -> TensorTypeOverride.parse("(=q8_0")).isInstanceOf(LlmoptException.class)
                .hasMessageStartingWith("--tensor-type '(=q8_0': bad pattern");
        assertThatThrownBy(() -> QuantizeOptions.tensorType("iq2_xxs", "--output-type")).isInstanceOf(LlmoptException.class)
                .hasMessage("--output-type: llmopt cannot write tensors of type IQ2_XXS");
        assertThat(QuantMix.parse("q4_k")).isEqualTo(QuantMix.Q4_K_M);
    }
}
