package io.llmopt.formats.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Tensor;
import io.llmopt.testkit.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Reads every GGUF of the shared folder and compares the header with what llama.cpp's gguf-py reads
 * (header-reference.json), and the facts the shared README states.
 */
class SharedGgufFilesTest {

    @TestFactory
    Stream<DynamicTest> everySharedGgufReadsLikeGgufPy() {
        JsonNode files = Fixtures.json("header-reference.json").get("files");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode f : files) {
            tests.add(DynamicTest.dynamicTest(f.get("file").asText(), () -> checkAgainstGgufPy(f)));
        }
        return tests.stream();
    }

    private static void checkAgainstGgufPy(JsonNode expected) {
        Path path = SharedData.require(expected.get("file").asText());
        try (GgufFile gguf = GgufFile.open(path)) {
            assertThat(gguf.version()).isEqualTo(expected.get("version").asInt());
            assertThat(gguf.alignment()).isEqualTo(expected.get("alignment").asInt());
            assertThat(gguf.dataOffset()).isEqualTo(expected.get("data_offset").asLong());
            assertThat(gguf.fileSize()).isEqualTo(expected.get("size").asLong());
            List<String> keys = new ArrayList<>();
            expected.get("metadata").forEach(m -> keys.add(m.get("key").asText()));
            assertThat(gguf.metadata().keys()).containsExactlyElementsOf(keys);
            for (JsonNode m : expected.get("metadata")) {
                checkValue(gguf.metadata().get(m.get("key").asText()), m);
            }
            JsonNode tensors = expected.get("tensors");
            assertThat(gguf.tensorInfos()).hasSize(tensors.size());
            for (int i = 0; i < tensors.size(); i++) {
                GgufTensorInfo info = gguf.tensorInfos().get(i);
                JsonNode t = tensors.get(i);
                assertThat(info.name()).isEqualTo(t.get(0).asText());
                assertThat(info.type().name()).isEqualTo(t.get(1).asText());
                long[] ne = new long[t.get(2).size()];
                Arrays.setAll(ne, d -> t.get(2).get(d).asLong());
                assertThat(info.ne()).as(info.name()).containsExactly(ne);
                assertThat(info.offset()).as(info.name()).isEqualTo(t.get(3).asLong());
            }
            for (Tensor t : gguf.tensors()) { // every tensor decodes to finite values
                long nonFinite = 0;
                for (float v : t.toFloatArray()) {
                    nonFinite += Float.isFinite(v) ? 0 : 1;
                }
                assertThat(nonFinite).as(t.name()).isZero();
            }
        }
    }

    private static void checkValue(GgufValue actual, JsonNode m) {
        String key = m.get("key").asText();
        assertThat(actual.type().name()).as(key).isEqualTo(m.get("type").asText());
        if (!actual.isArray()) {
            assertThat(actual.value()).as(key).isEqualTo(scalar(actual.type(), m.get("value")));
            return;
        }
        assertThat(actual.elementType().name()).as(key).isEqualTo(m.get("element_type").asText());
        assertThat(actual.length()).as(key).isEqualTo(m.get("length").asInt());
        GgufValueType et = actual.elementType();
        switch (actual.value()) {
            case String[] a -> {
                long bytes = 0;
                for (String s : a) {
                    bytes += s.getBytes(StandardCharsets.UTF_8).length;
                }
                assertThat(bytes).as(key).isEqualTo(m.get("utf8_bytes").asLong());
                if (a.length > 0) {
                    assertThat(a[0]).as(key).isEqualTo(m.get("first").asText());
                    assertThat(a[a.length - 1]).as(key).isEqualTo(m.get("last").asText());
                }
            }
            case long[] a -> {
                double sum = 0;
                for (long v : a) {
                    sum += v;
                }
                assertThat(sum).as(key).isEqualTo(m.get("sum").asDouble());
                assertThat(a[0]).as(key).isEqualTo(m.get("first").asLong());
                assertThat(a[a.length - 1]).as(key).isEqualTo(m.get("last").asLong());
            }
            case double[] a -> {
                double sum = 0;
                for (double v : a) {
                    sum += v;
                }
                assertThat(sum).as(key).isCloseTo(m.get("sum").asDouble(), org.assertj.core.data.Offset.offset(1e-6 * (1 + Math.abs(sum))));
                assertThat((Object) a[0]).as(key).isEqualTo(scalar(et, m.get("first")));
                assertThat((Object) a[a.length - 1]).as(key).isEqualTo(scalar(et, m.get("last")));
            }
            case boolean[] a -> {
                int trues = 0;
                for (boolean v : a) {
                    trues += v ? 1 : 0;
                }
                assertThat(trues).as(key).isEqualTo(m.get("true_count").asInt());
            }
            default -> throw new AssertionError(key + ": unexpected array " + actual.value().getClass());
        }
    }

    private static Object scalar(GgufValueType type, JsonNode v) {
        return switch (type) {
            case FLOAT32 -> (double) Fixtures.f32(v);
            case FLOAT64 -> v.asDouble();
            case BOOL -> v.asBoolean();
            case STRING -> v.asText();
            case UINT64 -> v.bigIntegerValue().longValue();
            default -> v.asLong();
        };
    }

    @Test
    void stories260KAsTheReadmeDescribesIt() {
        try (GgufFile gguf = GgufFile.open(SharedData.require("models/stories260K/stories260K-f32.gguf"))) {
            GgufMetadata md = gguf.metadata();
            assertThat(gguf.version()).isEqualTo(3);
            assertThat(md.getString("general.architecture")).isEqualTo("llama");
            assertThat(md.getInt("llama.embedding_length")).isEqualTo(64);
            assertThat(md.getInt("llama.feed_forward_length")).isEqualTo(172);
            assertThat(md.getInt("llama.block_count")).isEqualTo(5);
            assertThat(md.getInt("llama.attention.head_count")).isEqualTo(8);
            assertThat(md.getInt("llama.attention.head_count_kv")).isEqualTo(4);
            assertThat(md.getInt("llama.rope.dimension_count")).isEqualTo(8);
            assertThat(md.getInt("llama.context_length")).isEqualTo(128);
            assertThat(md.getDouble("llama.attention.layer_norm_rms_epsilon")).isEqualTo((double) 1e-5f);
            assertThat(md.getString("tokenizer.ggml.model")).isEqualTo("llama");
            assertThat(md.getStringArray("tokenizer.ggml.tokens")).hasSize(512);
            assertThat(md.getFloatArray("tokenizer.ggml.scores")).hasSize(512);
            Map<Integer, Integer> typeCounts = new TreeMap<>();
            for (int t : md.getIntArray("tokenizer.ggml.token_type")) {
                typeCounts.merge(t, 1, Integer::sum);
            }
            assertThat(typeCounts).containsExactlyEntriesOf(new TreeMap<>(Map.of(1, 253, 2, 1, 3, 2, 6, 256)));
            assertThat(md.getLong("tokenizer.ggml.bos_token_id")).isEqualTo(1);
            assertThat(md.getLong("tokenizer.ggml.eos_token_id")).isEqualTo(2);
            assertThat(md.getLong("tokenizer.ggml.unknown_token_id")).isZero();
            assertThat(md.getLong("tokenizer.ggml.seperator_token_id")).isEqualTo(0xFFFF_FFFFL);
            assertThat(md.getLong("tokenizer.ggml.padding_token_id")).isEqualTo(0xFFFF_FFFFL);
            assertThat(md.contains("general.alignment")).isFalse();
            assertThat(md.contains("llama.rope.freq_base")).isFalse();
            assertThat(gguf.alignment()).isEqualTo(32);

            assertThat(gguf.tensorInfos()).hasSize(48).allMatch(t -> t.type() == GgmlType.F32);
            assertThat(gguf.tensor("token_embd.weight").shape()).containsExactly(512, 64);
            assertThat(gguf.tensorInfos().stream().filter(t -> t.name().equals("token_embd.weight")).findFirst().orElseThrow().ne())
                    .containsExactly(64, 512);
            assertThat(gguf.tensor("blk.0.attn_k.weight").shape()).containsExactly(32, 64);
            assertThat(gguf.tensor("blk.4.ffn_down.weight").shape()).containsExactly(64, 172);
            assertThat(gguf.tensor("output_norm.weight").shape()).containsExactly(64);
            // README: output is a copy of token_embd
            assertThat(gguf.tensor("output.weight").toFloatArray()).containsExactly(gguf.tensor("token_embd.weight").toFloatArray());
        }
    }

    @Test
    void stories260KQuantizedFilesKeepFfnDownInF16() {
        for (String[] f : new String[][] {{"Q8_0", "7"}, {"Q4_0", "2"}}) {
            try (GgufFile gguf = GgufFile.open(SharedData.require("models/stories260K/stories260K-" + f[0] + ".gguf"))) {
                assertThat(gguf.metadata().getLong("general.file_type")).isEqualTo(Long.parseLong(f[1]));
                assertThat(gguf.metadata().getLong("general.quantization_version")).isEqualTo(2);
                for (int layer = 0; layer < 5; layer++) {
                    assertThat(gguf.tensor("blk." + layer + ".ffn_down.weight").type()).isEqualTo(GgmlType.F16);
                }
                assertThat(gguf.tensor("output.weight").type()).isEqualTo(GgmlType.Q8_0);
                assertThat(gguf.tensor("blk.0.attn_norm.weight").type()).isEqualTo(GgmlType.F32);
            }
        }
    }

    @Test
    void refTinystoriesTensorTypesAsTheReadmeTableStates() {
        Map<String, String> table = new TreeMap<>(Map.ofEntries(
                Map.entry("Q8_0", "F32=11 Q8_0=37"), Map.entry("Q6_K", "F32=11 Q6_K=37"),
                Map.entry("Q5_K_M", "F32=11 Q5_K=32 Q6_K=5"), Map.entry("Q4_K_M", "F32=11 Q4_K=32 Q6_K=5"),
                Map.entry("Q4_0", "F32=11 Q4_0=36 Q6_K=1"), Map.entry("Q3_K_M", "F32=11 Q3_K=21 Q4_K=13 Q5_K=2 Q6_K=1"),
                Map.entry("Q2_K", "F32=11 Q2_K=21 Q3_K=15 Q6_K=1"), Map.entry("Q8_0-pure", "F32=11 Q8_0=37"),
                Map.entry("Q4_0-pure", "F32=11 Q4_0=37"), Map.entry("Q4_K-pure", "F32=11 Q4_K=37"),
                Map.entry("Q4_K_M-imat", "F32=11 Q4_K=32 Q6_K=5"), Map.entry("Q3_K_M-imat", "F32=11 Q3_K=21 Q4_K=13 Q5_K=2 Q6_K=1"),
                Map.entry("Q2_K-imat", "F32=11 Q2_K=21 Q3_K=15 Q6_K=1")));
        for (Map.Entry<String, String> e : table.entrySet()) {
            try (GgufFile gguf = GgufFile.open(SharedData.require("models/ref-tinystories/ref-tinystories-" + e.getKey() + ".gguf"))) {
                Map<GgmlType, Integer> counts = new TreeMap<>();
                gguf.tensorInfos().forEach(t -> counts.merge(t.type(), 1, Integer::sum));
                StringBuilder sb = new StringBuilder();
                counts.forEach((t, c) -> sb.append(sb.isEmpty() ? "" : " ").append(t).append('=').append(c));
                assertThat(sb.toString()).as(e.getKey()).isEqualTo(e.getValue());
                assertThat(gguf.metadata().getInt("llama.context_length")).isEqualTo(256);
                if (e.getKey().endsWith("-imat")) {
                    assertThat(gguf.metadata().getString("quantize.imatrix.file")).isEqualTo("models/ref-tinystories/ref-tinystories-imatrix.dat");
                    assertThat(gguf.metadata().getString("quantize.imatrix.dataset")).isEqualTo("data/tinystories-train.txt");
                    assertThat(gguf.metadata().getLong("quantize.imatrix.entries_count")).isEqualTo(35);
                    assertThat(gguf.metadata().getLong("quantize.imatrix.chunks_count")).isEqualTo(100);
                }
            }
        }
    }

    @Test
    void refTinystoriesF32AsTheReadmeDescribesIt() {
        try (GgufFile gguf = GgufFile.open(SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf"))) {
            GgufMetadata md = gguf.metadata();
            assertThat(md.getInt("llama.context_length")).isEqualTo(256);
            assertThat(md.getInt("llama.embedding_length")).isEqualTo(256);
            assertThat(md.getInt("llama.feed_forward_length")).isEqualTo(768);
            assertThat(md.getInt("llama.block_count")).isEqualTo(5);
            assertThat(md.getInt("llama.attention.head_count")).isEqualTo(8);
            assertThat(md.getInt("llama.attention.head_count_kv")).isEqualTo(4);
            assertThat(md.getInt("llama.rope.dimension_count")).isEqualTo(32);
            assertThat(gguf.tensorInfos()).hasSize(48);
            assertThat(gguf.tensor("token_embd.weight").shape()).containsExactly(512, 256);
            assertThat(gguf.tensor("blk.2.ffn_down.weight").shape()).containsExactly(256, 768);
            assertThat(gguf.tensor("blk.2.attn_v.weight").shape()).containsExactly(128, 256);
        }
    }

    @Test
    void llamaSpmVocabularyHas32000Tokens() {
        try (GgufFile gguf = GgufFile.open(SharedData.require("tokenizers/llama.cpp-vocab/ggml-vocab-llama-spm.gguf"))) {
            assertThat(gguf.metadata().getString("tokenizer.ggml.model")).isEqualTo("llama");
            assertThat(gguf.metadata().getStringArray("tokenizer.ggml.tokens")).hasSize(32000);
            assertThat(gguf.tensorInfos()).isEmpty();
            assertThat(gguf.dataOffset()).isGreaterThan(gguf.fileSize()); // vocab-only files end without padding
        }
    }
}
