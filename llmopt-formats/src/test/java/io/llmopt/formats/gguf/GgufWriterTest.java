package io.llmopt.formats.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import io.llmopt.tensor.quant.Codecs;
import io.llmopt.testkit.SharedData;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufWriterTest {
    @TempDir
    Path dir;

    /** One value of every GGUF type, arrays of every element type, nested and empty arrays. */
    static Map<String, GgufValue> everyValueType() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("u8", new GgufValue(GgufValueType.UINT8, null, 255L));
        m.put("i8", new GgufValue(GgufValueType.INT8, null, -128L));
        m.put("u16", new GgufValue(GgufValueType.UINT16, null, 65535L));
        m.put("i16", new GgufValue(GgufValueType.INT16, null, -32768L));
        m.put("u32", GgufValue.ofUint32(0xFFFF_FFFFL));
        m.put("i32", GgufValue.ofInt32(Integer.MIN_VALUE));
        m.put("u64", GgufValue.ofUint64(-1L)); // 2^64 − 1
        m.put("i64", new GgufValue(GgufValueType.INT64, null, Long.MIN_VALUE));
        m.put("f32", GgufValue.ofFloat32(1e-5f));
        m.put("f64", new GgufValue(GgufValueType.FLOAT64, null, Math.PI));
        m.put("f32.nan", GgufValue.ofFloat32(Float.NaN));
        m.put("bool.t", GgufValue.ofBool(true));
        m.put("bool.f", GgufValue.ofBool(false));
        m.put("str", GgufValue.ofString("héllo ▁wörld 🦙\n\t\0end"));
        m.put("str.empty", GgufValue.ofString(""));
        m.put("a.u8", new GgufValue(GgufValueType.ARRAY, GgufValueType.UINT8, new long[] {0, 1, 255}));
        m.put("a.i8", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT8, new long[] {-128, 0, 127}));
        m.put("a.u16", new GgufValue(GgufValueType.ARRAY, GgufValueType.UINT16, new long[] {65535}));
        m.put("a.i16", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT16, new long[] {-2, 2}));
        m.put("a.u32", new GgufValue(GgufValueType.ARRAY, GgufValueType.UINT32, new long[] {0xFFFF_FFFFL, 7}));
        m.put("a.i32", GgufValue.ofInt32Array(new int[] {1, 2, 3, 6, -1}));
        m.put("a.u64", new GgufValue(GgufValueType.ARRAY, GgufValueType.UINT64, new long[] {-1L, 0}));
        m.put("a.i64", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT64, new long[] {Long.MAX_VALUE}));
        m.put("a.f32", GgufValue.ofFloat32Array(new float[] {0f, -0f, 1.5f, Float.MIN_VALUE, Float.MAX_VALUE}));
        m.put("a.f64", new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT64, new double[] {Double.MIN_VALUE, -1e300}));
        m.put("a.bool", new GgufValue(GgufValueType.ARRAY, GgufValueType.BOOL, new boolean[] {true, false, true}));
        m.put("a.str", GgufValue.ofStringArray(new String[] {"<unk>", "", "▁the", "日本"}));
        m.put("a.empty", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT32, new long[0]));
        GgufValue inner1 = GgufValue.ofStringArray(new String[] {"a", "b"});
        GgufValue inner2 = new GgufValue(GgufValueType.ARRAY, GgufValueType.UINT8, new long[] {9});
        m.put("a.nested", new GgufValue(GgufValueType.ARRAY, GgufValueType.ARRAY, new GgufValue[] {inner1, inner2}));
        GgufValue deep = new GgufValue(GgufValueType.ARRAY, GgufValueType.ARRAY, new GgufValue[] {inner2});
        m.put("a.nested2", new GgufValue(GgufValueType.ARRAY, GgufValueType.ARRAY, new GgufValue[] {deep, deep}));
        return m;
    }

    static float[] gaussian(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    @Test
    void roundTripsEveryValueTypeAndTensorType() {
        Random random = new Random(42);
        float[] f32 = gaussian(random, 3 * 64);
        float[] f16 = gaussian(random, 2 * 32);
        float[] bf16 = gaussian(random, 5);
        float[] q8 = gaussian(random, 4 * 64);
        float[] q4 = gaussian(random, 2 * 96);
        byte[] q6k = new byte[2 * GgmlType.Q6_K.blockBytes()];
        random.nextBytes(q6k);
        q6k[208] = 0x00; // finite fp16 scales
        q6k[209] = 0x20;
        q6k[210 + 208] = 0x01;
        q6k[210 + 209] = (byte) 0xA0;
        Tensor verbatim = new Tensor("k.q6", GgmlType.Q6_K, new long[] {2, 256}, MemorySegment.ofArray(q6k));

        Path file = dir.resolve("all.gguf");
        GgufWriter writer = new GgufWriter(file);
        everyValueType().forEach(writer::put);
        writer.addTensor("t.f32", GgmlType.F32, new long[] {3, 64}, f32)
                .addTensor("t.f16", GgmlType.F16, new long[] {2, 1, 1, 32}, f16)
                .addTensor("t.bf16", GgmlType.BF16, new long[] {5}, bf16)
                .addTensor("t.q8_0", GgmlType.Q8_0, new long[] {2, 2, 64}, q8)
                .addTensor("t.q4_0", GgmlType.Q4_0, new long[] {2, 96}, q4)
                .addTensor("t.scalar", GgmlType.F32, new long[] {}, new float[] {7f})
                .addTensor("t.empty", GgmlType.Q8_0, new long[] {0, 32}, new float[0])
                .addTensor(verbatim)
                .write();

        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.version()).isEqualTo(3);
            assertThat(gguf.metadata().asMap()).containsExactlyEntriesOf(everyValueType());
            assertThat(gguf.tensorInfos()).extracting(GgufTensorInfo::name)
                    .containsExactly("t.f32", "t.f16", "t.bf16", "t.q8_0", "t.q4_0", "t.scalar", "t.empty", "k.q6");
            assertThat(gguf.tensorInfos()).allMatch(t -> t.offset() % 32 == 0);
            assertThat(gguf.tensor("t.f32").toFloatArray()).containsExactly(f32);
            Tensor t16 = gguf.tensor("t.f16");
            assertThat(t16.shape()).containsExactly(2, 1, 1, 32);
            assertThat(gguf.findTensorInfo("t.f16").orElseThrow().ne()).containsExactly(32, 1, 1, 2);
            float[] back16 = t16.toFloatArray();
            for (int i = 0; i < f16.length; i++) {
                assertThat(back16[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(f16[i])));
            }
            float[] backBf16 = gguf.tensor("t.bf16").toFloatArray();
            for (int i = 0; i < bf16.length; i++) {
                assertThat(Math.abs(backBf16[i] - bf16[i])).isLessThanOrEqualTo(Math.abs(bf16[i]) * 0x1p-8f);
            }
            assertThat(gguf.tensor("t.q8_0").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(encode(GgmlType.Q8_0, q8));
            assertThat(gguf.tensor("t.q4_0").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(encode(GgmlType.Q4_0, q4));
            assertThat(gguf.tensor("t.scalar").shape()).isEmpty();
            assertThat(gguf.tensor("t.scalar").toFloatArray()).containsExactly(7f);
            assertThat(gguf.tensor("t.empty").byteSize()).isZero();
            assertThat(gguf.tensor("k.q6").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(q6k);
        }
    }

    private static byte[] encode(GgmlType type, float[] x) {
        byte[] out = new byte[(int) type.byteSize(x.length)];
        Codecs.of(type).quantize(x, 0, x.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    /** Reads the file through GgufFile, writes it back with GgufWriter; the copy must equal the original. */
    private void assertCopyIsByteIdentical(String relative) throws IOException {
        Path original = SharedData.require(relative);
        Path copy = dir.resolve(original.getFileName());
        try (GgufFile gguf = GgufFile.open(original)) {
            GgufWriter writer = new GgufWriter(copy).metadata(gguf.metadata());
            gguf.tensors().forEach(writer::addTensor);
            writer.write();
        }
        assertThat(Files.mismatch(original, copy)).as(relative).isEqualTo(-1L);
    }

    @Test
    void copiesOfLlamaCppFilesAreByteIdentical() throws IOException {
        assertCopyIsByteIdentical("models/stories260K/stories260K-f32.gguf");
        assertCopyIsByteIdentical("models/stories260K/stories260K-Q4_0.gguf");
        assertCopyIsByteIdentical("models/ref-tinystories/ref-tinystories-Q4_K_M.gguf");
        assertCopyIsByteIdentical("tokenizers/llama.cpp-vocab/ggml-vocab-llama-spm.gguf");
    }

    /**
     * Writing llama-quantize's tensor list and metadata with tensors converted from the f32 file reproduces
     * llama-quantize's output file byte for byte.
     */
    @Test
    void quantizingTheF32FileReproducesLlamaQuantizeOutput() throws IOException {
        for (String type : List.of("Q8_0", "Q4_0")) {
            Path expected = SharedData.require("models/ref-tinystories/ref-tinystories-" + type + "-pure.gguf");
            Path out = dir.resolve("ours-" + type + ".gguf");
            try (GgufFile f32 = GgufFile.open(SharedData.require("models/ref-tinystories/ref-tinystories-f32.gguf"));
                 GgufFile quantized = GgufFile.open(expected)) {
                GgufWriter writer = new GgufWriter(out).metadata(quantized.metadata());
                for (GgufTensorInfo info : quantized.tensorInfos()) {
                    writer.addConverted(f32.tensor(info.name()), info.type());
                }
                writer.write();
            }
            assertThat(Files.mismatch(expected, out)).as(type).isEqualTo(-1L);
        }
    }

    @Test
    void honoursAlignmentAndReadsVersion2() throws IOException {
        Path file = dir.resolve("aligned.gguf");
        new GgufWriter(file).alignment(64).put("x", GgufValue.ofString("y"))
                .addTensor("a", GgmlType.F32, new long[] {3}, new float[] {1, 2, 3})
                .addTensor("b", GgmlType.F16, new long[] {5}, new float[] {1, 2, 3, 4, 5})
                .write();
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.alignment()).isEqualTo(64);
            assertThat(gguf.dataOffset() % 64).isZero();
            assertThat(gguf.findTensorInfo("b").orElseThrow().offset()).isEqualTo(64);
            assertThat(gguf.fileSize()).isEqualTo(gguf.dataOffset() + 128);
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 2); // v2 has the same layout
        Files.write(file, bytes);
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.version()).isEqualTo(2);
            assertThat(gguf.tensor("b").toFloatArray()).containsExactly(1, 2, 3, 4, 5);
        }
    }

    @Test
    void aFailedWriteLeavesTheTargetUntouchedAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.gguf");
        Files.writeString(file, "previous content");
        GgufWriter writer = new GgufWriter(file)
                .addTensor("ok", GgmlType.F32, new long[] {4, 8}, new float[32])
                .addTensor("bad", GgmlType.Q8_0, new long[] {1000, 32}, (row, dst) -> {
                    if (row == 500) {
                        throw new LlmoptException("source failed at row 500");
                    }
                });
        assertThatThrownBy(writer::write).isInstanceOf(LlmoptException.class).hasMessage("source failed at row 500");
        assertThat(Files.readString(file)).isEqualTo("previous content");
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
        new GgufWriter(file).addTensor("ok", GgmlType.F32, new long[] {2}, new float[] {1, 2}).write(); // replaces it
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.tensor("ok").toFloatArray()).containsExactly(1, 2);
        }
    }

    @Test
    void callerWrittenDataIsStreamedInPiecesAndMustHaveTheExactSize() throws IOException {
        Path file = dir.resolve("pieces.gguf");
        float[] values = {1, 2, 3, 4, 5, 6};
        new GgufWriter(file).addTensor("t", GgmlType.F32, new long[] {2, 3}, sink -> {
            sink.write(MemorySegment.ofArray(new float[] {1, 2, 3, 4}));
            sink.write(MemorySegment.ofArray(new float[] {5, 6}));
        }).write();
        try (GgufFile gguf = GgufFile.open(file)) {
            assertThat(gguf.tensor("t").toFloatArray()).containsExactly(values);
        }
        Path shortFile = dir.resolve("short.gguf");
        GgufWriter tooShort = new GgufWriter(shortFile).addTensor("t", GgmlType.F32, new long[] {2, 3},
                sink -> sink.write(MemorySegment.ofArray(new float[5])));
        assertThatThrownBy(tooShort::write).isInstanceOf(LlmoptException.class)
                .hasMessage("tensor 't': 20 bytes were written, expected 24");
        GgufWriter tooLong = new GgufWriter(shortFile).addTensor("t", GgmlType.F32, new long[] {2, 3},
                sink -> sink.write(MemorySegment.ofArray(new float[7])));
        assertThatThrownBy(tooLong::write).isInstanceOf(LlmoptException.class)
                .hasMessage("tensor 't': more than its 24 bytes were written");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("pieces.gguf"); // no output, no temporaries
        }
    }

    @Test
    void rejectsWhatLlamaCppCouldNotLoad() {
        GgufWriter w = new GgufWriter(dir.resolve("x.gguf")).addTensor("a", GgmlType.F32, new long[] {1}, new float[1]);
        assertThatThrownBy(() -> w.addTensor("a", GgmlType.F32, new long[] {1}, new float[1]))
                .hasMessage("tensor 'a' was added twice");
        assertThatThrownBy(() -> w.addTensor("n".repeat(64), GgmlType.F32, new long[] {1}, new float[1]))
                .hasMessage("tensor '" + "n".repeat(64) + "': a GGUF tensor name must have 1..63 UTF-8 bytes, this one has 64");
        assertThatThrownBy(() -> w.addTensor("q", GgmlType.Q8_0, new long[] {2, 48}, new float[96]))
                .hasMessage("tensor 'q': rows of 48 values are not a multiple of the Q8_0 block size 32");
        assertThatThrownBy(() -> w.addTensor("k", GgmlType.IQ2_XXS, new long[] {256}, new float[256]))
                .hasMessage("tensor 'k': cannot encode values to IQ2_XXS (no quantizer for this type)");
        assertThatThrownBy(() -> w.addTensor("s", GgmlType.F32, new long[] {2, 3}, new float[5]))
                .hasMessage("tensor 's': shape [2, 3] has 6 values but 5 were given");
        assertThatThrownBy(() -> w.addTensor("d", GgmlType.F32, new long[] {1, 1, 1, 1, 1}, new float[1]))
                .hasMessage("tensor 'd': GGUF allows at most 4 dimensions, shape is [1, 1, 1, 1, 1]");
        assertThatThrownBy(() -> w.put("k", new GgufValue(GgufValueType.UINT8, null, 256L)))
                .hasMessage("GGUF metadata 'k': 256 (Long) is not a valid UINT8");
        assertThatThrownBy(() -> w.put("k", new GgufValue(GgufValueType.ARRAY, GgufValueType.INT16, new long[] {1, 40000})))
                .hasMessage("GGUF metadata 'k': 40000 (Long) is not a valid INT16");
        assertThatThrownBy(() -> w.put("k", new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, new long[] {1})))
                .hasMessage("GGUF metadata 'k': an array of STRING cannot be held in a long[]");
        assertThatThrownBy(() -> w.alignment(48)).hasMessage("GGUF alignment must be a power of two, got 48");
        Path nowhere = dir.resolve("missing/x.gguf");
        assertThatThrownBy(() -> new GgufWriter(nowhere).write())
                .hasMessage(nowhere + ": the directory " + nowhere.getParent() + " does not exist");
    }
}
