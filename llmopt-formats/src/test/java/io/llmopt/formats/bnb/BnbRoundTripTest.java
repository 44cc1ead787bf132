package io.llmopt.formats.bnb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.formats.safetensors.SafetensorsDtype;
import io.llmopt.formats.safetensors.SafetensorsFile;
import io.llmopt.formats.safetensors.SafetensorsWriter;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.Codecs;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bitsandbytes' serialized form: written, stored in safetensors, read back into llmopt tensors. */
class BnbRoundTripTest {
    private static final String W = "model.layers.0.self_attn.q_proj.weight";

    @TempDir
    Path dir;

    private static float[] weights(int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.02 * (1 + (i % cols) / (double) cols));
        }
        return w;
    }

    private static BnbEncoder.Rows rows(float[] w, int cols) {
        return (row, dst) -> System.arraycopy(w, (int) row * cols, dst, 0, cols);
    }

    private static double relativeRms(float[] a, float[] b) {
        double e = 0;
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            e += (a[i] - b[i]) * (double) (a[i] - b[i]);
            s += (double) a[i] * a[i];
        }
        return Math.sqrt(e / s);
    }

    @Test
    void fourBitPartsAreBitsandbytesTensorsAndDecodeToTheCodecsValues() {
        int rows = 40;
        int cols = 128;
        float[] w = weights(rows, cols, 1);
        List<BnbEncoder.Part> parts = BnbEncoder.fourBit(W, GgmlType.NF4, rows, cols, rows(w, cols), false, "float32");
        Map<String, String> shapes = parts.stream().collect(Collectors.toMap(BnbEncoder.Part::name,
                p -> p.dtype() + java.util.Arrays.toString(p.shape())));
        assertThat(shapes).containsOnlyKeys(W, W + ".absmax", W + ".quant_map", W + ".quant_state.bitsandbytes__nf4");
        assertThat(shapes.get(W)).isEqualTo("U8[2560, 1]");
        assertThat(shapes.get(W + ".absmax")).isEqualTo("F32[80]");
        String json = new String(parts.getLast().bytes().toArray(Layouts.BYTE), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"quant_type\":\"nf4\",\"blocksize\":64,\"dtype\":\"float32\",\"shape\":[40,128]}");
        Tensor t = BnbDecoder.find(BnbDecoder.Store.of("parts", parts), W).orElseThrow();
        assertThat(t.type()).isEqualTo(GgmlType.NF4);
        // decoding equals the codec's own round trip of each row
        float[] expected = new float[w.length];
        byte[] block = new byte[(int) GgmlType.NF4.byteSize(cols)];
        for (int r = 0; r < rows; r++) {
            Codecs.of(GgmlType.NF4).quantize(w, r * cols, cols, MemorySegment.ofArray(block), 0);
            Codecs.of(GgmlType.NF4).dequantize(MemorySegment.ofArray(block), 0, expected, r * cols, cols);
        }
        assertThat(t.toFloatArray()).containsExactly(expected);
        assertThat(relativeRms(w, expected)).isBetween(0.05, 0.15);
    }

    @Test
    void doubleQuantizationStoresAbsmaxInEightBitsWithSmallExtraError() {
        int rows = 300;
        int cols = 64;
        float[] w = weights(rows, cols, 2);
        List<BnbEncoder.Part> single = BnbEncoder.fourBit(W, GgmlType.FP4, rows, cols, rows(w, cols), false, "float32");
        List<BnbEncoder.Part> dq = BnbEncoder.fourBit(W, GgmlType.FP4, rows, cols, rows(w, cols), true, "float32");
        Map<String, BnbEncoder.Part> byName = dq.stream().collect(Collectors.toMap(BnbEncoder.Part::name, p -> p));
        assertThat(byName.get(W + ".absmax").dtype()).isEqualTo(SafetensorsDtype.U8);
        assertThat(byName.get(W + ".nested_absmax").shape()).containsExactly(2); // ⌈300 / 256⌉
        assertThat(byName.get(W + ".nested_quant_map").shape()).containsExactly(256);
        String json = new String(byName.get(W + ".quant_state.bitsandbytes__fp4").bytes().toArray(Layouts.BYTE), StandardCharsets.UTF_8);
        assertThat(json).contains("\"nested_blocksize\":256").contains("\"nested_dtype\":\"float32\"").contains("\"nested_offset\":");
        float[] a = BnbDecoder.find(BnbDecoder.Store.of("single", single), W).orElseThrow().toFloatArray();
        float[] b = BnbDecoder.find(BnbDecoder.Store.of("dq", dq), W).orElseThrow().toFloatArray();
        double base = relativeRms(w, a);
        assertThat(relativeRms(w, b)).isBetween(base, base * 1.05);
    }

    @Test
    void int8StoresCodesAndRowScales() {
        int rows = 8;
        int cols = 96;
        float[] w = weights(rows, cols, 3);
        List<BnbEncoder.Part> parts = BnbEncoder.int8(W, rows, cols, rows(w, cols));
        assertThat(parts).extracting(BnbEncoder.Part::name).containsExactly(W, "model.layers.0.self_attn.q_proj.SCB");
        Tensor t = BnbDecoder.find(BnbDecoder.Store.of("parts", parts), W).orElseThrow();
        assertThat(t.type()).isEqualTo(GgmlType.INT8);
        float[] back = t.toFloatArray();
        for (int r = 0; r < rows; r++) {
            float absmax = 0;
            for (int c = 0; c < cols; c++) {
                absmax = Math.max(absmax, Math.abs(w[r * cols + c]));
            }
            for (int c = 0; c < cols; c++) {
                assertThat(Math.abs(back[r * cols + c] - w[r * cols + c])).isLessThanOrEqualTo(absmax / 127 / 2 * 1.0001f);
            }
        }
    }

    @Test
    void aWrittenCheckpointReadsBackAndForeignTablesDecodeToF32() throws Exception {
        int rows = 4;
        int cols = 64;
        float[] w = weights(rows, cols, 4);
        List<BnbEncoder.Part> parts = new ArrayList<>(BnbEncoder.fourBit(W, GgmlType.NF4, rows, cols, rows(w, cols), true, "float16"));
        SafetensorsWriter writer = new SafetensorsWriter();
        for (BnbEncoder.Part p : parts) {
            writer.addBytes(p.name(), p.dtype(), p.shape(), p.bytes());
        }
        Path file = dir.resolve("model.safetensors");
        writer.write(file);
        float[] direct = BnbDecoder.find(BnbDecoder.Store.of("parts", parts), W).orElseThrow().toFloatArray();
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(BnbDecoder.find(st, W).orElseThrow().toFloatArray()).containsExactly(direct);
            assertThat(BnbDecoder.find(st, "model.norm.weight")).isEmpty();
        }
        // a quant_map that is not llmopt's NF4 table: decoded through the stored table, to F32
        parts.replaceAll(p -> p.name().equals(W + ".quant_map")
                ? new BnbEncoder.Part(p.name(), p.dtype(), p.shape(), MemorySegment.ofArray(scaled(p.bytes().toArray(Layouts.FLOAT), 2f)))
                : p);
        Tensor t = BnbDecoder.find(BnbDecoder.Store.of("parts", parts), W).orElseThrow();
        assertThat(t.type()).isEqualTo(GgmlType.F32);
        float[] doubled = t.toFloatArray();
        for (int i = 0; i < direct.length; i++) {
            assertThat(doubled[i]).isEqualTo(2 * direct[i]);
        }
    }

    private static byte[] scaled(float[] v, float f) {
        MemorySegment s = MemorySegment.ofArray(new byte[4 * v.length]);
        for (int i = 0; i < v.length; i++) {
            s.set(Layouts.FLOAT, 4L * i, v[i] * f);
        }
        return s.toArray(Layouts.BYTE);
    }

    @Test
    void brokenPartsAreOneLineErrors() {
        List<BnbEncoder.Part> parts = new ArrayList<>(BnbEncoder.fourBit(W, GgmlType.NF4, 2, 64, rows(weights(2, 64, 5), 64), false, "float32"));
        parts.removeIf(p -> p.name().endsWith(".absmax"));
        assertThatThrownBy(() -> BnbDecoder.find(BnbDecoder.Store.of("ckpt", parts), W)).isInstanceOf(LlmoptException.class)
                .hasMessage("ckpt: " + W + ": missing tensor '" + W + ".absmax'");
        assertThatThrownBy(() -> BnbEncoder.fourBit(W, GgmlType.NF4, 2, 96, rows(weights(2, 96, 5), 96), false, "float32"))
                .isInstanceOf(LlmoptException.class).hasMessageContaining("multiple of 64");
    }
}
