package io.llmopt.formats.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed sharded checkpoints: the index and the shards must agree. */
class SafetensorsIndexValidationTest {
    @TempDir
    Path tmp;
    Path index;

    private static String tensor(String name, int begin) {
        return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[" + begin + "," + (begin + 4) + "]}";
    }

    @BeforeEach
    void twoShards() throws IOException {
        Crafted.file(tmp, "s1.safetensors", "{" + tensor("a", 0) + "," + tensor("b", 4) + "}", 8);
        Crafted.file(tmp, "s2.safetensors", "{" + tensor("c", 0) + "}", 4);
        index = tmp.resolve("model.safetensors.index.json");
    }

    private String error(String indexJson) throws IOException {
        Files.writeString(index, indexJson);
        LlmoptException e = org.junit.jupiter.api.Assertions.assertThrows(LlmoptException.class, () -> SafetensorsFile.open(index).close(),
                "expected the index to be rejected");
        assertThat(e.getMessage()).doesNotContain("\n");
        return e.getMessage();
    }

    @Test
    void validIndexOpensAllShards() throws IOException {
        Files.writeString(index, "{\"metadata\":{\"total_size\":12},\"weight_map\":{\"c\":\"s2.safetensors\",\"a\":\"s1.safetensors\",\"b\":\"s1.safetensors\"}}");
        try (SafetensorsFile st = SafetensorsFile.open(tmp)) {
            assertThat(st.source()).isEqualTo(index);
            assertThat(st.files()).containsExactly(tmp.resolve("s1.safetensors"), tmp.resolve("s2.safetensors"));
            assertThat(st.tensorNames()).containsExactly("a", "b", "c");
            assertThat(st.tensor("c").shape()).containsExactly(1);
        }
    }

    @Test
    void shardFileMissing() throws IOException {
        assertThat(error("{\"weight_map\":{\"a\":\"s1.safetensors\",\"c\":\"s3.safetensors\"}}")).isEqualTo(index
                + ": weight_map names shard 's3.safetensors' for tensor 'c' but " + tmp.resolve("s3.safetensors") + " does not exist");
    }

    @Test
    void tensorNotInItsShard() throws IOException {
        assertThat(error("{\"weight_map\":{\"a\":\"s1.safetensors\",\"c\":\"s1.safetensors\",\"x\":\"s2.safetensors\"}}"))
                .isEqualTo(index + ": weight_map places tensor 'c' in " + tmp.resolve("s1.safetensors") + " but that file has no such tensor");
    }

    @Test
    void duplicateTensorAcrossShards() throws IOException {
        Crafted.file(tmp, "s3.safetensors", "{" + tensor("b", 0) + "}", 4);
        assertThat(error("{\"weight_map\":{\"a\":\"s1.safetensors\",\"b\":\"s3.safetensors\"}}"))
                .isEqualTo(tmp.resolve("s3.safetensors") + ": tensor 'b' is also in " + tmp.resolve("s1.safetensors")
                        + "; a tensor name must appear in one shard only");
    }

    @Test
    void shardOutsideTheDirectory() throws IOException {
        assertThat(error("{\"weight_map\":{\"a\":\"../s1.safetensors\"}}")).isEqualTo(index
                + ": weight_map shard '../s1.safetensors' for tensor 'a' must be a file name inside " + tmp.toAbsolutePath());
    }

    @Test
    void structuralProblems() throws IOException {
        assertThat(error("{\"metadata\":{}}")).isEqualTo(index + ": missing or non-object field 'weight_map'");
        assertThat(error("{\"weight_map\":{}}")).isEqualTo(index + ": 'weight_map' lists no tensors");
        assertThat(error("{\"weight_map\":{\"a\":1}}")).isEqualTo(index + ": weight_map entry for tensor 'a' must be a file name string");
        assertThat(error("[]")).isEqualTo(index + ": index must be a JSON object with a 'weight_map'");
        assertThat(error("{\"weight_map\":")).startsWith(index + ": cannot read index: Unexpected end-of-input");
    }

    @Test
    void aBrokenShardIsReportedByName() throws IOException {
        Files.write(tmp.resolve("s2.safetensors"), new byte[] {9});
        assertThat(error("{\"weight_map\":{\"a\":\"s1.safetensors\",\"c\":\"s2.safetensors\"}}")).startsWith(tmp.resolve("s2.safetensors")
                + ": file is 1 bytes, too small");
    }

    @Test
    void directoryWithBothLayoutsIsAmbiguous() throws IOException {
        Files.writeString(index, "{\"weight_map\":{\"a\":\"s1.safetensors\"}}");
        Files.copy(tmp.resolve("s1.safetensors"), tmp.resolve("model.safetensors"));
        assertThatThrownBy(() -> SafetensorsFile.open(tmp)).isInstanceOf(LlmoptException.class)
                .hasMessage(tmp + ": holds both model.safetensors and model.safetensors.index.json; pass the one to use");
        try (SafetensorsFile st = SafetensorsFile.open(tmp.resolve("model.safetensors"))) {
            assertThat(st.tensorNames()).containsExactly("a", "b");
        }
    }
}
