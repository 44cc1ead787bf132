package io.llmopt.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compares every block codec with independent references stored in {@code block-reference.txt}: random
 * blocks decoded by llama.cpp's gguf-py (b4747) and awkward inputs quantized by the shared folder's
 * quantize_np.py, itself byte-identical to llama-quantize. See make_block_reference.py beside the fixture.
 */
class BlockReferenceTest {

    record Record(String kind, GgmlType type, byte[] bytes, float[] floats) {
    }

    static List<Record> load() throws IOException {
        List<Record> records = new ArrayList<>();
        try (InputStream in = BlockReferenceTest.class.getResourceAsStream("block-reference.txt")) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            String kind = null;
            GgmlType type = null;
            byte[] bytes = null;
            float[] floats = null;
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ", 2);
                switch (parts[0]) {
                    case "dequant", "quant" -> {
                        kind = parts[0];
                        type = GgmlType.byName(parts[1]);
                        bytes = null;
                        floats = null;
                    }
                    case "bytes" -> bytes = HexFormat.of().parseHex(parts[1]);
                    case "values", "input" -> floats = parseFloatBits(parts[1]);
                    default -> throw new IllegalStateException("unexpected line " + parts[0]);
                }
                if (bytes != null && floats != null) {
                    records.add(new Record(kind, type, bytes, floats));
                    bytes = null;
                    floats = null;
                }
            }
        }
        return records;
    }

    private static float[] parseFloatBits(String hexWords) {
        String[] words = hexWords.trim().split(" ");
        float[] out = new float[words.length];
        for (int i = 0; i < words.length; i++) {
            out[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(words[i], 16));
        }
        return out;
    }

    @Test
    void dequantizationMatchesGgufPyBitForBit() throws IOException {
        List<GgmlType> seen = new ArrayList<>();
        for (Record r : load()) {
            if (!r.kind().equals("dequant")) {
                continue;
            }
            seen.add(r.type());
            BlockCodec codec = Codecs.of(r.type());
            int n = r.floats().length;
            assertThat((long) r.bytes().length).isEqualTo(r.type().byteSize(n));
            try (Arena arena = Arena.ofConfined()) {
                // at an odd offset inside a larger segment, into an offset destination
                MemorySegment seg = arena.allocate(r.bytes().length + 5);
                MemorySegment.copy(MemorySegment.ofArray(r.bytes()), 0, seg, 5, r.bytes().length);
                float[] out = new float[n + 3];
                codec.dequantize(seg, 5, out, 3, n);
                for (int i = 0; i < n; i++) {
                    // same operations in the same order as gguf-py's float32 numpy code: exact equality
                    assertThat(out[i + 3]).as("%s element %d", r.type(), i).isEqualTo(r.floats()[i]);
                }
            }
        }
        assertThat(seen).contains(GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
                GgmlType.Q8_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K);
    }

    @Test
    void quantizationMatchesTheReferenceRoundingByteForByte() throws IOException {
        int checked = 0;
        for (Record r : load()) {
            if (!r.kind().equals("quant")) {
                continue;
            }
            BlockCodec codec = Codecs.of(r.type());
            assertThat(codec.canQuantize()).isTrue();
            int n = r.floats().length;
            float[] input = new float[n + 7];
            System.arraycopy(r.floats(), 0, input, 7, n);
            byte[] out = new byte[r.bytes().length + 3];
            codec.quantize(input, 7, n, MemorySegment.ofArray(out), 3);
            byte[] body = java.util.Arrays.copyOfRange(out, 3, out.length);
            for (int b = 0; b < n / 32; b++) {
                int bb = r.type().blockBytes();
                assertThat(java.util.Arrays.copyOfRange(body, b * bb, (b + 1) * bb))
                        .as("%s block %d", r.type(), b)
                        .isEqualTo(java.util.Arrays.copyOfRange(r.bytes(), b * bb, (b + 1) * bb));
            }
            checked++;
        }
        assertThat(checked).isEqualTo(2);
    }
}
