package io.llmopt.formats.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random corruptions of a small valid file: opening and reading every tensor must either succeed or
 * throw {@link LlmoptException}, never anything else. Mutations range from raw byte damage (truncation, flips,
 * length prefix) to well-formed JSON with wrong meaning (offsets, shapes, dtypes), which reaches the semantic
 * checks that byte noise rarely gets past.
 */
class SafetensorsFuzzTest {
    private static final int ITERATIONS = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    enum Mutation { TRUNCATE, FLIP_ANY_BYTE, FLIP_LENGTH_BYTE, SET_LENGTH, HEADER_PUNCTUATION, INSERT_IN_HEADER, DELETE_IN_HEADER,
        APPEND, SEMANTIC, FLIP_DATA_BYTE }

    private byte[] validFile() throws IOException {
        Path f = tmp.resolve("valid.safetensors");
        byte[] ints = new byte[12];
        new SafetensorsWriter().metadata(Map.of("note", "fuzz"))
                .add("a.weight", GgmlType.F32, new long[] {3, 4}, new float[12])
                .add("b.weight", GgmlType.F16, new long[] {5}, new float[] {1, 2, 3, 4, 5})
                .add("c.weight", GgmlType.BF16, new long[] {2, 2}, new float[] {-1, 0, 1, 2})
                .add(new Tensor("ids", GgmlType.I32, new long[] {3}, MemorySegment.ofArray(ints)))
                .add("scalar", GgmlType.F32, new long[] {}, new float[] {42})
                .write(f);
        return Files.readAllBytes(f);
    }

    @Test
    void corruptedFilesFailOnlyWithLlmoptException() throws IOException {
        byte[] valid = validFile();
        int headerLength = (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        Random rnd = new Random(20261122);
        Path f = tmp.resolve("fuzz.safetensors");
        Map<Mutation, int[]> outcomes = new EnumMap<>(Mutation.class); // [opened fine, rejected]
        long start = System.nanoTime();
        for (int i = 0; i < ITERATIONS; i++) {
            Mutation m = Mutation.values()[rnd.nextInt(Mutation.values().length)];
            byte[] bytes = mutate(m, valid, headerLength, rnd);
            Files.write(f, bytes);
            int[] counts = outcomes.computeIfAbsent(m, k -> new int[2]);
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                for (String name : st.tensorNames()) {
                    try {
                        Tensor t = st.tensor(name);
                        if (t.type() == GgmlType.F32 || t.type() == GgmlType.F16 || t.type() == GgmlType.BF16) {
                            t.toFloatArray();
                        } else {
                            t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                        }
                    } catch (LlmoptException e) {
                        assertOneLine(e, i, m);
                    }
                }
                counts[0]++;
            } catch (LlmoptException e) {
                assertOneLine(e, i, m);
                counts[1]++;
            } catch (RuntimeException | Error e) {
                throw new AssertionError("iteration " + i + " (" + m + ") threw " + e + " instead of LlmoptException", e);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("safetensors fuzz: %d files in %.1f s; [opened, rejected] per mutation: %s%n", ITERATIONS, seconds,
                outcomes.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()[0] + "/" + e.getValue()[1]).toList());
        assertThat(outcomes.get(Mutation.FLIP_DATA_BYTE)[1]).as("data bytes are not validated, only structure").isZero();
        assertThat(outcomes.get(Mutation.SEMANTIC)[1]).as("semantic mutations must mostly be caught").isGreaterThan(outcomes.get(Mutation.SEMANTIC)[0]);
        assertThat(outcomes.get(Mutation.TRUNCATE)[0]).as("a truncated file never opens").isZero();
    }

    private static void assertOneLine(LlmoptException e, int i, Mutation m) {
        assertThat(e.getMessage()).as("iteration %d (%s)", i, m).isNotBlank().doesNotContain("\n").doesNotContain("\r");
    }

    private static byte[] mutate(Mutation m, byte[] valid, int headerLength, Random rnd) throws IOException {
        byte[] b = valid.clone();
        switch (m) {
            case TRUNCATE -> {
                return java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            case FLIP_ANY_BYTE -> b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
            case FLIP_LENGTH_BYTE -> b[rnd.nextInt(8)] ^= (byte) (1 << rnd.nextInt(8));
            case SET_LENGTH -> {
                long[] choices = {0, 1, 2, headerLength - 1, headerLength + 1, b.length - 8, b.length - 7, b.length, 100_000_001L,
                        Long.MAX_VALUE, -1, Long.MIN_VALUE, rnd.nextLong()};
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, choices[rnd.nextInt(choices.length)]);
            }
            case HEADER_PUNCTUATION -> {
                String chars = "{}[],:\"0123456789-.e \\xN";
                for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                    b[8 + rnd.nextInt(headerLength)] = (byte) chars.charAt(rnd.nextInt(chars.length()));
                }
            }
            case INSERT_IN_HEADER, DELETE_IN_HEADER -> {
                String header = new String(b, 8, headerLength, StandardCharsets.UTF_8);
                int at = rnd.nextInt(header.length());
                header = m == Mutation.DELETE_IN_HEADER ? header.substring(0, at) + header.substring(at + 1)
                        : header.substring(0, at) + "{}[],:\"0-9 ".charAt(rnd.nextInt(11)) + header.substring(at);
                return reassemble(header.getBytes(StandardCharsets.UTF_8), b, headerLength);
            }
            case APPEND -> {
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + rnd.nextInt(16));
                return longer;
            }
            case SEMANTIC -> {
                ObjectNode root = (ObjectNode) JSON.readTree(new String(b, 8, headerLength, StandardCharsets.UTF_8));
                semantic(root, rnd);
                return reassemble(JSON.writeValueAsBytes(root), b, headerLength);
            }
            case FLIP_DATA_BYTE -> b[8 + headerLength + rnd.nextInt(b.length - 8 - headerLength)] ^= (byte) (1 + rnd.nextInt(255));
        }
        return b;
    }

    /** New header (length prefix fixed) + the original data section. */
    private static byte[] reassemble(byte[] header, byte[] original, int originalHeaderLength) {
        int dataLength = original.length - 8 - originalHeaderLength;
        return ByteBuffer.allocate(8 + header.length + dataLength).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).put(original, 8 + originalHeaderLength, dataLength).array();
    }

    private static void semantic(ObjectNode root, Random rnd) {
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(n -> {
            if (!n.equals("__metadata__")) {
                names.add(n);
            }
        });
        ObjectNode t = (ObjectNode) root.get(names.get(rnd.nextInt(names.size())));
        long[] interesting = {0, 1, 2, 3, 4, 8, 12, 16, 24, 40, 48, 60, 64, 65, 1L << 31, 1L << 32, 1L << 62, Long.MAX_VALUE, -1};
        BiFunction<Random, long[], Long> pick = (r, a) -> r.nextBoolean() ? a[r.nextInt(a.length)] : (long) r.nextInt(80);
        switch (rnd.nextInt(9)) {
            case 0 -> ((ArrayNode) t.get("data_offsets")).set(rnd.nextInt(2), JSON.getNodeFactory().numberNode(pick.apply(rnd, interesting)));
            case 1 -> {
                ArrayNode o = (ArrayNode) t.get("data_offsets");
                JsonNode first = o.get(0);
                o.set(0, o.get(1));
                o.set(1, first);
            }
            case 2 -> t.set("data_offsets", ((ObjectNode) root.get(names.get(rnd.nextInt(names.size())))).get("data_offsets").deepCopy());
            case 3 -> {
                ArrayNode shape = (ArrayNode) t.get("shape");
                if (shape.isEmpty() || rnd.nextBoolean()) {
                    shape.add(pick.apply(rnd, interesting));
                } else {
                    shape.set(rnd.nextInt(shape.size()), JSON.getNodeFactory().numberNode(pick.apply(rnd, interesting)));
                }
            }
            case 4 -> {
                String[] dtypes = {"F32", "F16", "BF16", "I32", "U8", "I8", "F64", "I64", "BOOL", "F4", "F6_E2M3", "F8_E4M3", "C64", "XX", "f32", ""};
                t.put("dtype", dtypes[rnd.nextInt(dtypes.length)]);
            }
            case 5 -> t.remove(List.of("dtype", "shape", "data_offsets").get(rnd.nextInt(3)));
            case 6 -> t.set(List.of("dtype", "shape", "data_offsets").get(rnd.nextInt(3)),
                    List.<JsonNode>of(JSON.getNodeFactory().nullNode(), JSON.getNodeFactory().numberNode(1.5),
                            JSON.getNodeFactory().textNode("x"), JSON.createArrayNode(), JSON.createObjectNode()).get(rnd.nextInt(5)));
            case 7 -> ((ObjectNode) root.get("__metadata__")).put("note", rnd.nextInt(10));
            default -> root.putObject("extra" + rnd.nextInt(3)).put("dtype", "F32")
                    .<ObjectNode>set("shape", JSON.createArrayNode().add(rnd.nextInt(4)))
                    .set("data_offsets", JSON.createArrayNode().add(pick.apply(rnd, interesting)).add(pick.apply(rnd, interesting)));
        }
    }
}
