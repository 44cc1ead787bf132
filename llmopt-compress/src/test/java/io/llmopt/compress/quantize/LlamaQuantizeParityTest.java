package io.llmopt.compress.quantize;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our quantization of the reference model against llama-quantize b4747's files in the shared folder (made from
 * the same f32 GGUF): same tensor order, types and bytes for every tensor, same metadata — the whole file is
 * byte-identical (with an importance matrix, all but the key naming the imatrix file's path).
 */
class LlamaQuantizeParityTest {
    private static final String DIR = "models/ref-tinystories/";

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ref-tinystories-Q8_0.gguf, Q8_0, false, false",
        "ref-tinystories-Q6_K.gguf, Q6_K, false, false",
        "ref-tinystories-Q5_K_M.gguf, Q5_K_M, false, false",
        "ref-tinystories-Q4_K_M.gguf, Q4_K_M, false, false",
        "ref-tinystories-Q4_0.gguf, Q4_0, false, false",
        "ref-tinystories-Q3_K_M.gguf, Q3_K_M, false, false",
        "ref-tinystories-Q2_K.gguf, Q2_K, false, false",
        "ref-tinystories-Q4_0-pure.gguf, Q4_0, true, false",
        "ref-tinystories-Q4_K-pure.gguf, Q4_K, true, false",
        "ref-tinystories-Q4_K_M-imat.gguf, Q4_K_M, false, true",
        "ref-tinystories-Q3_K_M-imat.gguf, Q3_K_M, false, true",
        "ref-tinystories-Q2_K-imat.gguf, Q2_K, false, true",
    })
    void sameFileAsLlamaQuantize(String reference, String type, boolean pure, boolean imat) throws IOException {
        Path f32 = SharedData.require(DIR + "ref-tinystories-f32.gguf");
        Path theirs = SharedData.require(DIR + reference);
        QuantizeOptions o = QuantizeOptions.of(QuantMix.parse(type)).withPure(pure).withThreads(2);
        if (imat) {
            o = o.withImatrix(SharedData.require(DIR + "ref-tinystories-imatrix.dat"));
        }
        Path ours = tmp.resolve(reference);
        QuantizeReport report = ModelQuantizer.quantize(f32, ours, o, QuantizeListener.NONE);
        GgufComparison c = GgufComparison.of(ours, theirs, "quantize.imatrix.file");
        System.out.printf("%s: %s (%.1f s)%n", reference, c.summary(), report.seconds());
        c.byteDifferences().forEach(d -> System.out.println("  " + d));
        assertThat(c.ourOrder()).isEqualTo(c.theirOrder());
        assertThat(c.typeDifferences()).isEmpty();
        assertThat(c.metadataDifferences()).isEmpty();
        assertThat(c.byteDifferences()).isEmpty();
        if (!imat) {
            assertThat(Files.mismatch(ours, theirs)).as("first different byte of the whole file").isEqualTo(-1);
        }
    }
}
