package io.llmopt.formats.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedSafetensorsTest {
    @TempDir
    Path tmp;

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Ten F32 tensors of 400 bytes; 1000-byte shards hold two each. */
    private static SafetensorsWriter tenTensors(GgmlType dtype) {
        SafetensorsWriter w = new SafetensorsWriter();
        for (int i = 0; i < 10; i++) {
            float[] v = new float[100];
            for (int j = 0; j < v.length; j++) {
                v[j] = i * 1000 + j;
            }
            w.add("layer." + i + ".weight", dtype, new long[] {10, 10}, v);
        }
        return w;
    }

    @Test
    void writesHuggingFaceShardsAndIndex() throws IOException {
        List<Path> written = tenTensors(GgmlType.F32).writeSharded(tmp, 1000);
        List<String> expectedShards = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            expectedShards.add(String.format("model-%05d-of-00005.safetensors", i));
        }
        assertThat(written).extracting(p -> p.getFileName().toString())
                .containsExactlyElementsOf(Stream.concat(expectedShards.stream(), Stream.of("model.safetensors.index.json")).toList());
        assertThat(listing(tmp)).containsExactlyInAnyOrderElementsOf(written.stream().map(p -> p.getFileName().toString()).toList());

        JsonNode index = new ObjectMapper().readTree(tmp.resolve("model.safetensors.index.json").toFile());
        assertThat(index.get("metadata").get("total_size").longValue()).isEqualTo(10 * 400);
        Map<String, String> weightMap = new TreeMap<>();
        index.get("weight_map").properties().forEach(e -> weightMap.put(e.getKey(), e.getValue().textValue()));
        List<String> keysInFileOrder = new ArrayList<>();
        index.get("weight_map").fieldNames().forEachRemaining(keysInFileOrder::add);
        assertThat(keysInFileOrder).isSorted();
        for (int i = 0; i < 10; i++) {
            assertThat(weightMap).containsEntry("layer." + i + ".weight", expectedShards.get(i / 2));
        }
        for (String shard : expectedShards) {
            SafetensorsWriterTest.checkLayoutIndependently(tmp.resolve(shard), Map.of("format", "pt"));
        }
        for (Path open : List.of(tmp, tmp.resolve("model.safetensors.index.json"))) {
            try (SafetensorsFile st = SafetensorsFile.open(open)) {
                assertThat(st.files()).hasSize(5);
                assertThat(st.tensorNames()).hasSize(10);
                for (int i = 0; i < 10; i++) {
                    float[] v = st.tensor("layer." + i + ".weight").toFloatArray();
                    assertThat(v[0]).isEqualTo(i * 1000f);
                    assertThat(v[99]).isEqualTo(i * 1000f + 99);
                }
            }
        }
    }

    @Test
    void oneShardIsAPlainModelSafetensorsAndStaleShardsAreRemoved() throws IOException {
        tenTensors(GgmlType.F16).writeSharded(tmp, 200); // 200-byte tensors: one per shard
        assertThat(listing(tmp)).hasSize(11).contains("model-00010-of-00010.safetensors", "model.safetensors.index.json");
        Files.writeString(tmp.resolve("tokenizer.model"), "unrelated");
        tenTensors(GgmlType.F16).writeSharded(tmp, 400);
        assertThat(listing(tmp)).hasSize(7).contains("model-00005-of-00005.safetensors", "tokenizer.model");
        List<Path> single = tenTensors(GgmlType.BF16).writeSharded(tmp, 1L << 30);
        assertThat(single).containsExactly(tmp.resolve("model.safetensors"));
        assertThat(listing(tmp)).containsExactly("model.safetensors", "tokenizer.model");
        try (SafetensorsFile st = SafetensorsFile.open(tmp)) {
            assertThat(st.tensor("layer.3.weight").type()).isEqualTo(GgmlType.BF16);
        }
    }

    @Test
    void aTensorLargerThanTheLimitGetsItsOwnShard() throws IOException {
        new SafetensorsWriter()
                .add("small.a", GgmlType.F32, new long[] {1}, new float[1])
                .add("big", GgmlType.F32, new long[] {100}, new float[100])
                .add("small.b", GgmlType.F32, new long[] {1}, new float[1])
                .writeSharded(tmp, 64);
        try (SafetensorsFile st = SafetensorsFile.open(tmp)) {
            assertThat(st.files()).hasSize(3);
            assertThat(st.tensorNames()).containsExactly("small.a", "big", "small.b");
        }
    }

    @Test
    void failedShardedWriteLeavesTheDirectoryAsItWas() throws IOException {
        tenTensors(GgmlType.F32).writeSharded(tmp, 1000);
        List<String> before = listing(tmp);
        byte[] firstShard = Files.readAllBytes(tmp.resolve("model-00001-of-00005.safetensors"));
        SafetensorsWriter failing = tenTensors(GgmlType.F32).add("late", GgmlType.F32, new long[] {1}, () -> {
            throw new LlmoptException("simulated failure in the last shard");
        });
        assertThatThrownBy(() -> failing.writeSharded(tmp, 400)).hasMessageContaining("simulated failure");
        assertThat(listing(tmp)).isEqualTo(before);
        assertThat(Files.readAllBytes(tmp.resolve("model-00001-of-00005.safetensors"))).isEqualTo(firstShard);
    }

    @Test
    void reshardsASharedModelAndReadsTheSameValues() {
        Path original = SharedData.require("models/stories260K/stories260K-hf");
        Path out = tmp.resolve("resharded");
        try (SafetensorsFile st = SafetensorsFile.open(original)) {
            SafetensorsWriter w = new SafetensorsWriter();
            st.tensorNames().forEach(n -> w.add(st.tensor(n)));
            assertThat(w.dataBytes()).isEqualTo(260_032L * 4 + 512 * 64 * 4); // parameters + the separate lm_head copy
            w.writeSharded(out, 200_000);
            try (SafetensorsFile back = SafetensorsFile.open(out)) {
                assertThat(back.files().size()).isGreaterThan(5);
                assertThat(back.tensorNames()).containsExactlyElementsOf(st.tensorNames());
                for (String n : st.tensorNames()) {
                    Tensor a = st.tensor(n);
                    Tensor b = back.tensor(n);
                    assertThat(b.shape()).containsExactly(a.shape());
                    assertThat(b.data().mismatch(a.data())).as(n).isEqualTo(-1L);
                }
            }
        }
    }
}
