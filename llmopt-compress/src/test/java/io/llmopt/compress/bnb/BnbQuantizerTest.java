package io.llmopt.compress.bnb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.compress.imatrix.ImatrixComputation;
import io.llmopt.compress.quantize.QuantizeListener;
import io.llmopt.compress.quantize.QuantizeReport;
import io.llmopt.model.loader.LoadedModel;
import io.llmopt.model.loader.ModelLoader;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * NF4 / FP4 / INT8 of the reference model: written as a bitsandbytes checkpoint, loaded back as NF4/FP4/INT8
 * tensors that the engine runs directly, and how much perplexity each costs (llama-perplexity's method on the
 * first 10 chunks of 256 tokens of tinystories-v2-gpt4-valid-first100).
 */
class BnbQuantizerTest {
    private static final String HF = "models/ref-tinystories/ref-tinystories-hf";

    @TempDir
    Path dir;

    private static double perplexity(Path model) throws IOException {
        String text = Files.readString(SharedData.require("data/tinystories-v2-gpt4-valid-first100.txt"));
        try (LoadedModel m = ModelLoader.load(model)) {
            return ImatrixComputation.compute(m, text, "", new ImatrixComputation.Options(256, 10, false, 2), (c, n, p) -> { })
                    .perplexity();
        }
    }

    @Test
    void quantizedCheckpointsLoadAsQuantizedTensorsAndCostLittlePerplexity() throws IOException {
        Path f32 = SharedData.require(HF);
        double base = perplexity(f32);
        record Case(GgmlType type, boolean doubleQuant, double maxIncrease) {
        }
        for (Case c : new Case[] {new Case(GgmlType.INT8, false, 0.005), new Case(GgmlType.NF4, true, 0.04),
            new Case(GgmlType.FP4, false, 0.08)}) {
            Path out = dir.resolve(c.type() + (c.doubleQuant() ? "-dq" : ""));
            QuantizeReport r = BnbQuantizer.quantize(f32, out, new BnbQuantizer.Options(c.type(), c.doubleQuant()), QuantizeListener.NONE);
            assertThat(r.tensors().stream().filter(QuantizeReport.TensorReport::converted)).hasSize(35);
            JsonNode q = new ObjectMapper().readTree(out.resolve("config.json").toFile()).get("quantization_config");
            assertThat(q.get("quant_method").asText()).isEqualTo("bitsandbytes");
            assertThat(q.get(c.type() == GgmlType.INT8 ? "load_in_8bit" : "load_in_4bit").asBoolean()).isTrue();
            try (LoadedModel m = ModelLoader.load(out)) {
                assertThat(m.weights().layers().get(2).down().type()).isEqualTo(c.type());
                assertThat(m.weights().tokenEmbedding().type()).isEqualTo(GgmlType.F32);
            }
            double ppl = perplexity(out);
            System.out.printf("%s%s: %.3f bits per weight, perplexity %.4f vs %.4f f32 (%+.2f %%)%n", c.type(),
                    c.doubleQuant() ? "+DQ" : "", r.bitsPerWeight(), ppl, base, 100 * (ppl / base - 1));
            assertThat(ppl / base - 1).as(c.type().toString()).isBetween(-0.01, c.maxIncrease());
        }
    }

    @Test
    void rowsThatAreNotBlocksStayFloatAndBadRequestsAreErrors() {
        Path hf = SharedData.require("models/stories260K/stories260K-hf");
        QuantizeReport r = BnbQuantizer.quantize(hf, dir.resolve("s"), new BnbQuantizer.Options(GgmlType.NF4, false), QuantizeListener.NONE);
        assertThat(r.tensors()).filteredOn(t -> t.name().endsWith("down_proj.weight"))
                .allSatisfy(t -> assertThat(t.type()).isEqualTo("F32")); // 172 columns: not a multiple of 64
        assertThat(r.tensors()).filteredOn(t -> t.name().endsWith("q_proj.weight"))
                .allSatisfy(t -> assertThat(t.type()).isEqualTo("NF4"));
        try (LoadedModel m = ModelLoader.load(dir.resolve("s"))) {
            assertThat(m.weights().layers().getFirst().wq().type()).isEqualTo(GgmlType.NF4);
        }
        assertThatThrownBy(() -> new BnbQuantizer.Options(GgmlType.INT8, true)).isInstanceOf(LlmoptException.class)
                .hasMessage("double quantization applies to NF4 and FP4 only");
        assertThatThrownBy(() -> new BnbQuantizer.Options(GgmlType.Q4_0, false)).isInstanceOf(LlmoptException.class);
    }
}
