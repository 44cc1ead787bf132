package io.llmopt.tensor.quant;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every quantizer against llama.cpp's own output on awkward rows ({@code quantize-reference.txt.gz}, made by
 * make_quantize_reference.c with ggml b4747's {@code ggml_quantize_chunk}): plain weights, heavy tails, zero
 * sub-blocks, all-zero and constant rows, one sign, values whose scale underflows fp16, exact rounding ties, an
 * outlier, large values, sparse spikes — each without and (for types that use it) with importance weights.
 * The bytes must be identical, and decoding them must give ggml's {@code to_float} values bit for bit.
 */
class QuantizeReferenceTest {

    record Case(GgmlType type, int cols, float[] input, float[] importance, byte[] bytes, float[] dequantized) {
    }

    static List<Case> load() throws IOException {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = new java.util.zip.GZIPInputStream(QuantizeReferenceTest.class.getResourceAsStream("quantize-reference.txt.gz"))) {
            String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
            GgmlType type = null;
            int cols = 0;
            float[] input = null;
            float[] importance = null;
            byte[] bytes = null;
            for (String line : lines) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ", 2);
                switch (parts[0]) {
                    case "quant" -> {
                        String[] f = parts[1].split(" ");
                        type = GgmlType.byName(f[0]);
                        cols = Integer.parseInt(f[1]);
                    }
                    case "input" -> input = floats(parts[1]);
                    case "importance" -> importance = parts[1].equals("none") ? null : floats(parts[1]);
                    case "bytes" -> bytes = HexFormat.of().parseHex(parts[1]);
                    case "dequantized" -> cases.add(new Case(type, cols, input, importance, bytes,
                            parts[1].equals("none") ? null : floats(parts[1])));
                    default -> throw new IllegalStateException("unexpected line " + parts[0]);
                }
            }
        }
        return cases;
    }

    private static float[] floats(String hexWords) {
        String[] words = hexWords.trim().split(" ");
        float[] out = new float[words.length];
        for (int i = 0; i < words.length; i++) {
            out[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(words[i], 16));
        }
        return out;
    }

    @Test
    void everyQuantizerReproducesLlamaCppByteForByte() throws IOException {
        Map<GgmlType, int[]> counts = new EnumMap<>(GgmlType.class);
        List<String> failures = new ArrayList<>();
        List<Case> cases = load();
        for (int k = 0; k < cases.size(); k++) {
            Case c = cases.get(k);
            BlockCodec codec = Codecs.of(c.type());
            assertThat(codec.canQuantize()).as(c.type().toString()).isTrue();
            // unaligned source and destination offsets, surrounding bytes must stay untouched
            float[] input = new float[c.cols() + 3];
            System.arraycopy(c.input(), 0, input, 3, c.cols());
            byte[] out = new byte[c.bytes().length + 10];
            Arrays.fill(out, (byte) 0x5A);
            MemorySegment seg = MemorySegment.ofArray(out);
            if (c.importance() == null) {
                codec.quantize(input, 3, c.cols(), seg, 5);
            } else {
                codec.quantizeRow(input, 3, c.cols(), c.importance(), seg, 5);
            }
            byte[] body = Arrays.copyOfRange(out, 5, 5 + c.bytes().length);
            int[] count = counts.computeIfAbsent(c.type(), t -> new int[2]);
            count[1]++;
            if (Arrays.equals(body, c.bytes())) {
                count[0]++;
            } else {
                failures.add("case " + k + " " + c.type() + (c.importance() == null ? "" : " weighted")
                        + ": first difference at byte " + Arrays.mismatch(body, c.bytes()));
            }
            assertThat(Arrays.copyOfRange(out, 0, 5)).containsOnly((byte) 0x5A);
            assertThat(Arrays.copyOfRange(out, 5 + c.bytes().length, out.length)).containsOnly((byte) 0x5A);
        }
        counts.forEach((t, c) -> System.out.println("quantize-reference " + t + ": " + c[0] + "/" + c[1] + " identical"));
        assertThat(failures).isEmpty();
        assertThat(counts.keySet()).containsExactlyInAnyOrder(GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0,
                GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K,
                GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K, GgmlType.IQ4_NL);
    }

    @Test
    void decodingMatchesGgmlToFloatExactly() throws IOException {
        for (Case c : load()) {
            if (c.dequantized() == null) {
                continue;
            }
            float[] back = new float[c.cols()];
            Codecs.of(c.type()).dequantize(MemorySegment.ofArray(c.bytes()), 0, back, 0, c.cols());
            for (int i = 0; i < c.cols(); i++) {
                assertThat(Float.floatToIntBits(back[i])).as("%s value %d", c.type(), i)
                        .isEqualTo(Float.floatToIntBits(c.dequantized()[i]));
            }
        }
    }

    @Test
    void importanceIsOnlyUsedWhereLlamaCppUsesIt() {
        for (GgmlType t : List.of(GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K,
                GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_NL)) {
            assertThat(Codecs.of(t).usesImportance()).as(t.toString()).isTrue();
        }
        for (GgmlType t : List.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q8_1, GgmlType.Q8_K)) {
            assertThat(Codecs.of(t).usesImportance()).as(t.toString()).isFalse();
        }
    }
}
