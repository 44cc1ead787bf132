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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SafetensorsWriterTest {
    @TempDir
    Path tmp;

    private static float[] random(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    /** What an F16/BF16 file must hold for {@code v}: the JDK's binary16 conversion, or BF16 by exact construction. */
    private static float[] expectedAfter(GgmlType dtype, float[] v) {
        float[] out = v.clone();
        for (int i = 0; i < out.length; i++) {
            if (dtype == GgmlType.F16) {
                out[i] = Float.float16ToFloat(Float.floatToFloat16(v[i]));
            }
        }
        return out;
    }

    /** BF16 inputs chosen exactly representable (low 16 bits zero), so the round trip must be exact. */
    private static float[] bf16Representable(Random rnd, int n) {
        float[] v = random(rnd, n);
        for (int i = 0; i < n; i++) {
            v[i] = Float.intBitsToFloat(Float.floatToRawIntBits(v[i]) & 0xFFFF0000);
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16"})
    void singleFileRoundTrip(GgmlType dtype) throws IOException {
        Random rnd = new Random(42);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("a.weight", new long[] {7, 13});
        shapes.put("b.bias", new long[] {13});
        shapes.put("scalar", new long[] {});
        shapes.put("empty", new long[] {0, 5});
        shapes.put("c.weight", new long[] {3, 1, 33});
        Map<String, float[]> values = new LinkedHashMap<>();
        SafetensorsWriter w = new SafetensorsWriter();
        shapes.forEach((name, shape) -> {
            int n = Math.toIntExact(Tensor.elementCount(shape));
            float[] v = dtype == GgmlType.BF16 ? bf16Representable(rnd, n) : random(rnd, n);
            values.put(name, v);
            w.add(name, dtype, shape, v);
        });
        Path file = tmp.resolve("x.safetensors");
        w.write(file);
        checkLayoutIndependently(file, Map.of("format", "pt"));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.tensorNames()).containsExactlyElementsOf(shapes.keySet());
            for (String name : shapes.keySet()) {
                Tensor t = st.tensor(name);
                assertThat(t.type()).isEqualTo(dtype);
                assertThat(t.shape()).containsExactly(shapes.get(name));
                FloatArrays.assertBitwiseEqual(name, t.toFloatArray(), expectedAfter(dtype, values.get(name)));
            }
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files).containsExactly(file); // no temporary left behind
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        float[] v = {
            Float.intBitsToFloat(0x3F808000), // exactly half-way between 0x3F80 and 0x3F81: ties to even 0x3F80
            Float.intBitsToFloat(0x3F818000), // half-way between 0x3F81 and 0x3F82: ties to even 0x3F82
            Float.intBitsToFloat(0x3F808001), // just above half-way: rounds up to 0x3F81
        };
        Path file = tmp.resolve("bf16.safetensors");
        new SafetensorsWriter().add("v", GgmlType.BF16, new long[] {3}, v).write(file);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            float[] back = st.tensor("v").toFloatArray();
            assertThat(Float.floatToRawIntBits(back[0])).isEqualTo(0x3F800000);
            assertThat(Float.floatToRawIntBits(back[1])).isEqualTo(0x3F820000);
            assertThat(Float.floatToRawIntBits(back[2])).isEqualTo(0x3F810000);
        }
    }

    /**
     * Parses the file with plain Jackson and byte arithmetic (not the reader under test): the length prefix, the
     * space padding to 8, {@code __metadata__} first, contiguous offsets covering the data to the end of the file,
     * and each tensor's data aligned to its element size.
     */
    static JsonNode checkLayoutIndependently(Path file, Map<String, String> metadata) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":");
        assertThat(header.stripTrailing()).endsWith("}");
        assertThat(header.length() - header.stripTrailing().length()).isLessThan(8);
        assertThat(header.substring(header.stripTrailing().length())).matches(" *");
        JsonNode root = new ObjectMapper().readTree(header);
        Map<String, String> meta = new LinkedHashMap<>();
        root.get("__metadata__").properties().forEach(e -> meta.put(e.getKey(), e.getValue().textValue()));
        assertThat(meta).containsExactlyInAnyOrderEntriesOf(metadata);
        long expectedBegin = 0;
        Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator();
        it.next();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode t = e.getValue();
            long begin = t.get("data_offsets").get(0).longValue();
            long end = t.get("data_offsets").get(1).longValue();
            assertThat(begin).as(e.getKey()).isEqualTo(expectedBegin);
            long elements = 1;
            for (JsonNode d : t.get("shape")) {
                elements *= d.longValue();
            }
            int width = switch (t.get("dtype").textValue()) {
                case "F32", "I32" -> 4;
                case "F16", "BF16" -> 2;
                default -> throw new AssertionError("unexpected dtype " + t.get("dtype"));
            };
            assertThat(end - begin).as(e.getKey()).isEqualTo(elements * width);
            assertThat((8 + n + begin) % width).as(e.getKey() + " alignment").isZero();
            expectedBegin = end;
        }
        assertThat(8 + n + expectedBegin).isEqualTo(bytes.length);
        return root;
    }

    @Test
    void mixedDtypesAreLaidOutWidestFirstAndAligned() throws IOException {
        Path file = tmp.resolve("mixed.safetensors");
        new SafetensorsWriter()
                .add("h", GgmlType.F16, new long[] {3}, new float[] {1, 2, 3})
                .add("f", GgmlType.F32, new long[] {3}, new float[] {4, 5, 6})
                .add("b", GgmlType.BF16, new long[] {1}, new float[] {7})
                .add("g", GgmlType.F32, new long[] {1}, new float[] {8})
                .write(file);
        JsonNode root = checkLayoutIndependently(file, Map.of("format", "pt"));
        List<String> order = new ArrayList<>();
        root.fieldNames().forEachRemaining(order::add);
        assertThat(order).containsExactly("__metadata__", "f", "g", "h", "b");
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.tensor("h").toFloatArray()).containsExactly(1, 2, 3);
            assertThat(st.tensor("g").toFloatArray()).containsExactly(8);
        }
    }

    @Test
    void customMetadataKeepsFormat() throws IOException {
        Path file = tmp.resolve("m.safetensors");
        new SafetensorsWriter().metadata(Map.of("source", "test")).add("x", GgmlType.F32, new long[] {1}, new float[] {1}).write(file);
        checkLayoutIndependently(file, Map.of("format", "pt", "source", "test"));
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.metadata()).containsEntry("format", "pt").containsEntry("source", "test");
        }
    }

    /** make_hf.py (numpy + json.dumps) wrote the shared file; the same tensors and metadata must give the same bytes. */
    @Test
    void reproducesThePythonWrittenSharedFileByteForByte() throws IOException {
        Path original = SharedData.require("models/stories260K/stories260K-hf/model.safetensors");
        Path copy = tmp.resolve("copy.safetensors");
        try (SafetensorsFile st = SafetensorsFile.open(original)) {
            SafetensorsWriter w = new SafetensorsWriter().metadata(st.metadata());
            st.tensorNames().forEach(name -> w.add(st.tensor(name)));
            w.write(copy);
        }
        assertThat(Files.mismatch(original, copy)).isEqualTo(-1L);
    }

    @Test
    void convertsTensorsBetweenFloatTypes() {
        Path f32 = tmp.resolve("f32.safetensors");
        float[] v = {1.5f, -2.25f, 65504f, 1e-8f, 3.14159f, -0f};
        new SafetensorsWriter().add("v", GgmlType.F32, new long[] {2, 3}, v).write(f32);
        Path f16 = tmp.resolve("f16.safetensors");
        try (SafetensorsFile st = SafetensorsFile.open(f32)) {
            new SafetensorsWriter().add(st.tensor("v"), GgmlType.F16).write(f16);
        }
        try (SafetensorsFile st = SafetensorsFile.open(f16)) {
            Tensor t = st.tensor("v");
            assertThat(t.type()).isEqualTo(GgmlType.F16);
            assertThat(t.shape()).containsExactly(2, 3);
            FloatArrays.assertBitwiseEqual("v", t.toFloatArray(), expectedAfter(GgmlType.F16, v));
        }
    }

    @Test
    void failedWriteLeavesNoFileAndKeepsTheOldOne() throws IOException {
        Path file = tmp.resolve("model.safetensors");
        Files.writeString(file, "previous content");
        SafetensorsWriter w = new SafetensorsWriter()
                .add("ok", GgmlType.F32, new long[] {4}, new float[4])
                .add("bad", GgmlType.F32, new long[] {4}, () -> {
                    throw new LlmoptException("simulated failure while computing 'bad'");
                });
        assertThatThrownBy(() -> w.write(file)).isInstanceOf(LlmoptException.class).hasMessageContaining("simulated failure");
        assertThat(Files.readString(file)).isEqualTo("previous content");
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void supplierWithWrongLengthIsRejected() {
        SafetensorsWriter w = new SafetensorsWriter().add("x", GgmlType.F16, new long[] {2, 2}, () -> new float[3]);
        assertThatThrownBy(() -> w.write(tmp.resolve("x.safetensors")))
                .isInstanceOf(LlmoptException.class).hasMessage("tensor 'x': shape [2, 2] needs 4 values, got 3");
        assertThat(tmp.resolve("x.safetensors")).doesNotExist();
    }

    @Test
    void rejectsBadInputsEarly() {
        SafetensorsWriter w = new SafetensorsWriter().add("x", GgmlType.F32, new long[] {1}, new float[1]);
        assertThatThrownBy(() -> w.add("x", GgmlType.F32, new long[] {1}, new float[1])).hasMessage("tensor 'x' was added twice");
        assertThatThrownBy(() -> w.add("__metadata__", GgmlType.F32, new long[] {1}, new float[1]))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("invalid tensor name");
        assertThatThrownBy(() -> w.add("y", GgmlType.Q8_0, new long[] {32}, new float[32]))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("cannot write float values as Q8_0");
        assertThatThrownBy(() -> w.add("z", GgmlType.F32, new long[] {2, 3}, new float[5]))
                .isInstanceOf(LlmoptException.class).hasMessage("tensor 'z': shape [2, 3] needs 6 values, got 5");
        Tensor q8 = new Tensor("q", GgmlType.Q8_0, new long[] {32}, java.lang.foreign.MemorySegment.ofArray(new byte[34]));
        assertThatThrownBy(() -> w.add(q8)).isInstanceOf(LlmoptException.class)
                .hasMessage("tensor 'q': tensor type Q8_0 cannot be stored in safetensors (supported: F32, F16, BF16, F64, I8, I16, I32, I64)");
        assertThatThrownBy(() -> w.add("n", GgmlType.F32, new long[] {-1}, new float[0]))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("invalid shape [-1]");
    }
}
