package io.llmopt.compress.quantize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stories260K, whose rows (64 and 172 values) are not multiples of 256 and whose ffn_down rows are not even a
 * multiple of 32: the shape fallbacks, checked against files made by other tools, and bad input.
 */
class Stories260KQuantizeTest {
    private static final String DIR = "models/stories260K/";

    @TempDir
    Path tmp;

    /**
     * The shared Q8_0/Q4_0 files were written by the shared folder's numpy quantizer because llama-quantize b4747
     * stops on the 172-column ffn_down; it keeps those as F16, everything else as llama-quantize chooses. Ours:
     * the same file, byte for byte.
     */
    @Test
    void q8_0AndQ4_0FallBackToF16LikeTheSharedFiles() throws IOException {
        Path f32 = SharedData.require(DIR + "stories260K-f32.gguf");
        for (String type : new String[] {"Q8_0", "Q4_0"}) {
            Path theirs = SharedData.require(DIR + "stories260K-" + type + ".gguf");
            Path ours = tmp.resolve(type + ".gguf");
            QuantizeReport r = ModelQuantizer.quantize(f32, ours, QuantizeOptions.of(QuantMix.parse(type)), QuantizeListener.NONE);
            GgufComparison c = GgufComparison.of(ours, theirs);
            System.out.println("stories260K " + type + ": " + c.summary());
            assertThat(c.tensorsIdentical()).as(c.byteDifferences() + " " + c.typeDifferences()).isTrue();
            assertThat(c.metadataDifferences()).isEmpty();
            assertThat(Files.mismatch(ours, theirs)).isEqualTo(-1);
            assertThat(r.tensors().stream().filter(t -> t.name().endsWith("ffn_down.weight")))
                    .allSatisfy(t -> assertThat(t.fallback()).contains("not divisible by 32").contains("f16"));
        }
    }

    /**
     * Type counts llama-quantize b4747 produces for stories260K (its own runs of these mixes, which do have
     * fallbacks): Q4_K → Q5_0, Q6_K → Q8_0, Q2_K/Q3_K → IQ4_NL, 172 columns → F16.
     */
    @Test
    void kQuantMixesUseLlamaCppsFallbacks() {
        Path f32 = SharedData.require(DIR + "stories260K-f32.gguf");
        Map<String, String> expected = Map.of(
                "Q4_K_M", "F16=5, F32=11, Q5_0=29, Q8_0=3",
                "Q2_K", "F16=5, F32=11, IQ4_NL=31, Q8_0=1",
                "Q3_K_M", "F16=5, F32=11, IQ4_NL=21, Q5_0=8, Q5_1=2, Q8_0=1",
                "Q6_K", "F16=5, F32=11, Q8_0=32");
        expected.forEach((type, counts) -> {
            QuantizeReport r = ModelQuantizer.quantize(f32, tmp.resolve(type + ".gguf"),
                    QuantizeOptions.of(QuantMix.parse(type)).withThreads(2), QuantizeListener.NONE);
            Map<String, Long> byType = r.tensors().stream()
                    .collect(Collectors.groupingBy(QuantizeReport.TensorReport::type, TreeMap::new, Collectors.counting()));
            assertThat(byType.toString()).as(type).isEqualTo("{" + counts + "}");
            assertThat(r.fallbackCount()).as(type).isGreaterThanOrEqualTo(5);
            assertThat(r.tensors()).allSatisfy(t -> assertThat(t.relativeRmsError()).isBetween(0.0, 0.6));
        });
    }

    @Test
    void anImportanceMatrixOfAnotherModelIsRejected() {
        Path f32 = SharedData.require(DIR + "stories260K-f32.gguf");
        Path imatrix = SharedData.require("models/ref-tinystories/ref-tinystories-imatrix.dat");
        Path out = tmp.resolve("x.gguf");
        assertThatThrownBy(() -> ModelQuantizer.quantize(f32, out, QuantizeOptions.of(QuantMix.Q4_K_M).withImatrix(imatrix),
                QuantizeListener.NONE))
                .isInstanceOf(LlmoptException.class)
                .hasMessageContaining("importance matrix does not match the model")
                .hasMessageContaining("values but the weight has").hasMessageContaining("computed for another model?");
        assertThat(out).doesNotExist();
    }

    @Test
    void quantizedInputIsRejected() {
        Path q8 = SharedData.require(DIR + "stories260K-Q8_0.gguf");
        Path out = tmp.resolve("x.gguf");
        assertThatThrownBy(() -> ModelQuantizer.quantize(q8, out, QuantizeOptions.of(QuantMix.Q4_0), QuantizeListener.NONE))
                .isInstanceOf(LlmoptException.class)
                .hasMessageStartingWith("requantizing is not supported: tensor '")
                .hasMessageContaining("is already Q8_0");
        assertThat(out).doesNotExist();
    }

    @Test
    void anInterruptedRunLeavesNoOutputAndNoTemporaryFile() throws IOException {
        Path f32 = SharedData.require(DIR + "stories260K-f32.gguf");
        Path out = tmp.resolve("interrupted.gguf");
        QuantizeListener stopAtTheTenthTensor = new QuantizeListener() {
            @Override
            public void tensorStarted(int index, int count, String name, String type) {
                if (index == 10) {
                    throw new LlmoptException("interrupted");
                }
            }
        };
        assertThatThrownBy(() -> ModelQuantizer.quantize(f32, out, QuantizeOptions.of(QuantMix.Q4_K_M), stopAtTheTenthTensor))
                .hasMessage("interrupted");
        try (var files = Files.list(tmp)) {
            assertThat(files).isEmpty();
        }
    }
}
