package io.llmopt.formats.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.LlmoptException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken files, one defect each, with the exact one-line message the reader must give. */
class GgufCorruptionTest {
    private static final Path NAME = Path.of("broken.gguf");
    private static final int F32 = 0;
    private static final int Q8_0 = 8;

    @TempDir
    Path dir;

    private static String message(byte[] bytes) {
        try (GgufFile f = GgufFile.fromBytes(NAME, MemorySegment.ofArray(bytes))) {
            f.tensors().forEach(t -> t.toFloatArray());
            throw new AssertionError("expected an LlmoptException, the file opened: " + f);
        } catch (LlmoptException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
    }

    /** A valid file with two F32 tensors of 8 values, for tensor-info variations. */
    private static byte[] twoTensors(long[] neA, int typeA, long offsetA, long[] neB, int typeB, long offsetB, int dataBytes) {
        return GgufBytes.header(3, 2, 0).tensor("a", neA, typeA, offsetA).tensor("b", neB, typeB, offsetB)
                .pad(32).zeros(dataBytes).bytes();
    }

    // Offsets: the fixed header is 24 bytes; a string is 8 + its bytes; a tensor info "t" with one dimension
    // is name 24..33, n_dims 33..37, ne 37..45, type 45..49, offset 49..57.

    @Test
    void headerDefects() {
        assertThat(message(new byte[0]))
                .isEqualTo("broken.gguf: byte 0: file truncated: expected 4 bytes of the magic \"GGUF\" but only 0 remain (file size 0)");
        assertThat(message(new GgufBytes().raw('G', 'G', 'M', 'L').u32(3).bytes()))
                .isEqualTo("broken.gguf: byte 0: not a GGUF file: expected the magic \"GGUF\" (47 47 55 46) but found 47 47 4d 4c");
        assertThat(message(GgufBytes.header(1, 0, 0).bytes()))
                .isEqualTo("broken.gguf: byte 4: GGUF version 1 is not supported (it predates 64-bit counts); convert the file with a current llama.cpp");
        assertThat(message(GgufBytes.header(4, 0, 0).bytes()))
                .isEqualTo("broken.gguf: byte 4: unsupported GGUF version 4, expected 2 or 3");
        assertThat(message(GgufBytes.header(0x03000000, 0, 0).bytes()))
                .isEqualTo("broken.gguf: byte 4: big-endian GGUF files are not supported");
        assertThat(message(new GgufBytes().raw('G', 'G', 'U', 'F').u32(3).u64(0).raw(1, 0).bytes()))
                .isEqualTo("broken.gguf: byte 16: file truncated: expected 8 bytes of metadata key/value count but only 2 remain (file size 18)");
        assertThat(message(GgufBytes.header(3, -1, 0).bytes()))
                .isEqualTo("broken.gguf: byte 8: tensor count is 18446744073709551615 but at most 0 fits in the rest of the file");
        assertThat(message(GgufBytes.header(3, 0, 1L << 40).zeros(100).bytes()))
                .isEqualTo("broken.gguf: byte 16: metadata key/value count is 1099511627776 but at most 7 fits in the rest of the file");
    }

    @Test
    void metadataDefects() {
        assertThat(message(GgufBytes.header(3, 0, 1).u64(1L << 62).zeros(20).bytes()))
                .isEqualTo("broken.gguf: byte 24: metadata key #0 length is 4611686018427387904 but at most 20 fits in the rest of the file");
        assertThat(message(GgufBytes.header(3, 0, 1).str("k").u32(13).u32(0).bytes()))
                .isEqualTo("broken.gguf: byte 33: unknown GGUF value type 13 for the value type of 'k', expected 0..12");
        assertThat(message(GgufBytes.header(3, 0, 1).str("k").u32(GgufValueType.STRING.id()).u64(-5).bytes()))
                .isEqualTo("broken.gguf: byte 37: value of 'k' length is 18446744073709551611 but at most 0 fits in the rest of the file");
        assertThat(message(GgufBytes.header(3, 0, 1).str("k").u32(9).u32(GgufValueType.UINT32.id()).u64(1000).zeros(40).bytes()))
                .isEqualTo("broken.gguf: byte 41: element count of 'k' is 1000 but at most 10 fits in the rest of the file");
        assertThat(message(GgufBytes.header(3, 0, 1).str("k").u32(9).u32(GgufValueType.STRING.id()).u64(2).str("a").u64(99).bytes()))
                .isEqualTo("broken.gguf: byte 58: element of 'k' length is 99 but at most 0 fits in the rest of the file");
        GgufBytes nested = GgufBytes.header(3, 0, 1).str("k").u32(9);
        for (int level = 0; level < 9; level++) {
            nested.u32(9).u64(1);
        }
        nested.u32(GgufValueType.UINT8.id()).u64(0);
        assertThat(message(nested.zeros(16).bytes()))
                .isEqualTo("broken.gguf: byte 133: arrays nested deeper than 8 levels in 'k'");
        assertThat(message(GgufBytes.header(3, 0, 1).str("flag").u32(GgufValueType.BOOL.id()).raw(2).bytes()))
                .isEqualTo("broken.gguf: byte 40: the value of 'flag' is a bool but holds 2, expected 0 or 1");
        assertThat(message(GgufBytes.header(3, 0, 2).kvU32("k", 1).kvU32("k", 2).bytes()))
                .isEqualTo("broken.gguf: byte 41: duplicate metadata key 'k'");
        assertThat(message(GgufBytes.header(3, 0, 1).kvU32("general.alignment", 48).bytes()))
                .isEqualTo("broken.gguf: metadata 'general.alignment' = 48 must be a power of two (at most 2^30)");
        assertThat(message(GgufBytes.header(3, 0, 1).str("general.alignment").u32(GgufValueType.INT32.id()).u32(32).bytes()))
                .isEqualTo("broken.gguf: metadata 'general.alignment' must be a UINT32 but is INT32");
    }

    @Test
    void tensorInfoDefects() {
        long[] eight = {8};
        assertThat(message(GgufBytes.header(3, 1, 0).tensor("t", new long[] {1, 1, 1, 1, 1}, F32, 0).pad(32).zeros(32).bytes()))
                .isEqualTo("broken.gguf: byte 33: tensor 't' has 5 dimensions, at most 4 are allowed");
        assertThat(message(GgufBytes.header(3, 1, 0).tensor("t", eight, 99, 0).pad(32).zeros(32).bytes()))
                .isEqualTo("broken.gguf: byte 45: tensor 't' has unknown ggml type 99");
        assertThat(message(GgufBytes.header(3, 1, 0).tensor("t", new long[] {48, 2}, Q8_0, 0).pad(32).zeros(128).bytes()))
                .isEqualTo("broken.gguf: byte 33: tensor 't' is Q8_0 with rows of 48 values, not a multiple of its block size 32");
        assertThat(message(GgufBytes.header(3, 1, 0).tensor("t", new long[] {1L << 40, 1L << 40}, F32, 0).pad(32).zeros(32).bytes()))
                .isEqualTo("broken.gguf: byte 33: tensor 't' is too large: its element or byte count overflows 64 bits");
        assertThat(message(GgufBytes.header(3, 1, 0).tensor("t", new long[] {-3}, F32, 0).pad(32).zeros(32).bytes()))
                .isEqualTo("broken.gguf: byte 37: dimension 0 of tensor 't' is 18446744073709551613 but at most 9223372036854775807 fits in the rest of the file");
        assertThat(message(twoTensors(eight, F32, 0, eight, F32, 16, 64)))
                .isEqualTo("broken.gguf: tensor 'b' has data offset 16, not a multiple of the alignment 32");
        assertThat(message(twoTensors(eight, F32, 0, eight, F32, 32, 40)))
                .isEqualTo("broken.gguf: tensor 'b' (F32, 32 bytes) at byte 128 ends past the end of the file (136 bytes)");
        assertThat(message(twoTensors(eight, F32, 0, new long[] {16}, F32, 1L << 62, 64)))
                .isEqualTo("broken.gguf: tensor 'b' (F32, 64 bytes) at byte 4611686018427388000 ends past the end of the file (160 bytes)");
        assertThat(message(twoTensors(new long[] {16}, F32, 0, eight, F32, 32, 96)))
                .isEqualTo("broken.gguf: tensors 'a' and 'b' overlap (data offsets 0 + 64 bytes > 32)");
        assertThat(message(GgufBytes.header(3, 2, 0).tensor("t", eight, F32, 0).tensor("t", eight, F32, 32).pad(32).zeros(64).bytes()))
                .isEqualTo("broken.gguf: byte 57: duplicate tensor name 't'");
        assertThat(message(GgufBytes.header(3, 2, 0).tensor("t", eight, F32, 0).str("u").u32(1).bytes()))
                .isEqualTo("broken.gguf: byte 70: file truncated: expected 8 bytes of dimension 0 of tensor 'u' but only 0 remain (file size 70)");
    }

    /** head, then {@code gap} zero bytes (a hole in a sparse file, no disk or heap), then tail. */
    private Path sparse(byte[] head, long gap, byte[] tail) throws IOException {
        Path file = dir.resolve("sparse.gguf");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(head));
            ch.write(ByteBuffer.wrap(tail), head.length + gap);
        }
        return file;
    }

    private static String openMessage(Path file) {
        try (GgufFile f = GgufFile.open(file)) {
            throw new AssertionError("expected an LlmoptException, the file opened: " + f);
        } catch (LlmoptException e) {
            return e.getMessage();
        }
    }

    /** Limits that keep a corrupt count in a multi-gigabyte file from exhausting the heap. */
    @Test
    void headerMemoryIsBounded() throws IOException {
        long n = GgufHeaderReader.MAX_METADATA_ELEMENTS;
        byte[] head = GgufBytes.header(3, 0, 2).str("a").u32(9).u32(GgufValueType.UINT8.id()).u64(n).bytes();
        byte[] tail = new GgufBytes().str("b").u32(9).u32(GgufValueType.UINT8.id()).u64(1).zeros(1).bytes();
        Path file = sparse(head, n, tail);
        assertThat(openMessage(file)).isEqualTo(file + ": byte " + (head.length + n + 9 + 4 + 4)
                + ": metadata arrays hold more than 16777216 elements in total (at 'b'), more than any model file needs");

        long big = GgufCursor.MAX_STRING_BYTES; // with the 1-byte key "a", one byte over the limit
        head = GgufBytes.header(3, 0, 1).str("a").u32(GgufValueType.STRING.id()).u64(big).bytes();
        file = sparse(head, big, new byte[1]);
        assertThat(openMessage(file)).isEqualTo(file + ": byte 37"
                + ": the strings of this header exceed 268435456 bytes in total (at the value of 'a'), more than any model file needs");
    }

    @Test
    void namesFromTheFileAreEscapedAndShortenedInMessages() {
        assertThat(message(GgufBytes.header(3, 1, 0).tensor("evil\nname\u0000\u2028é", new long[] {8}, 99, 0).pad(32).zeros(32).bytes()))
                .isEqualTo("broken.gguf: byte 59: tensor 'evil\\nname\\u0000\\u2028é' has unknown ggml type 99");
        assertThat(GgufText.quote("x".repeat(100))).isEqualTo("'" + "x".repeat(80) + "'… (100 characters)");
        assertThat(GgufText.quote("🦙\ud800")).isEqualTo("'🦙\\ud800'");
    }

    @Test
    void accessErrorsNameTheFile() throws IOException {
        Path missing = dir.resolve("missing.gguf");
        assertThatThrownBy(() -> GgufFile.open(missing)).isInstanceOf(LlmoptException.class).hasMessage(missing + ": no such file");
        assertThatThrownBy(() -> GgufFile.open(dir)).isInstanceOf(LlmoptException.class).hasMessage(dir + ": is a directory");
        Path ok = dir.resolve("ok.gguf");
        Files.write(ok, twoTensors(new long[] {8}, F32, 0, new long[] {8}, F32, 32, 64));
        try (GgufFile f = GgufFile.open(ok)) {
            assertThat(f.tensorInfos()).hasSize(2);
            assertThatThrownBy(() -> f.tensor("nope")).isInstanceOf(LlmoptException.class)
                    .hasMessage(ok + ": no tensor named 'nope' (the file has 2 tensors)");
            assertThat(f.findTensor("nope")).isEmpty();
        }
    }
}
