package io.llmopt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.formats.gguf.GgufFile;
import io.llmopt.formats.gguf.GgufValue;
import io.llmopt.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** init → GGUF → HF → GGUF is lossless: every tensor bit-identical, metadata equal but for general.name. */
class ConvertRoundTripTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "bf16"})
    void ggufToHfToGgufIsLossless(String type) {
        Path a = dir.resolve("a.gguf");
        Path hf = dir.resolve("hf");
        Path b = dir.resolve("b.gguf");
        assertThat(CliRunner.run("init", "--preset", "stories260k", "--type", type, "--seed", "3", "-o", a.toString()).exitCode()).isZero();
        CliRunner toHf = CliRunner.run("convert", a.toString(), hf.toString());
        assertThat(toHf.exitCode()).as(toHf.err()).isZero();
        // the synthetic vocabulary has no HF file form: give the GGUF (vocab) back as the tokenizer of the HF dir
        CliRunner back = CliRunner.run("convert", hf.toString(), b.toString(), "--tokenizer", a.toString());
        assertThat(back.exitCode()).as(back.err()).isZero();
        try (GgufFile fa = GgufFile.open(a); GgufFile fb = GgufFile.open(b)) {
            assertThat(fb.tensors()).hasSameSizeAs(fa.tensors());
            for (Tensor t : fa.tensors()) {
                Tensor u = fb.tensor(t.name());
                assertThat(u.type()).as(t.name()).isEqualTo(t.type());
                assertThat(u.shape()).as(t.name()).containsExactly(t.shape());
                assertThat(u.data().asByteBuffer()).as(t.name()).isEqualTo(t.data().asByteBuffer());
            }
            assertThat(withoutName(fb.metadata().asMap())).isEqualTo(withoutName(fa.metadata().asMap()));
        }
    }

    private static Map<String, GgufValue> withoutName(Map<String, GgufValue> m) {
        Map<String, GgufValue> copy = new LinkedHashMap<>(m);
        copy.remove("general.name");
        return copy;
    }
}
