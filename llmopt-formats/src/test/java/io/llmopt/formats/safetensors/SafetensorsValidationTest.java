package io.llmopt.formats.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.LlmoptException;
import io.llmopt.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Malformed single files: each is rejected at open with a message naming the file and the problem. */
class SafetensorsValidationTest {
    @TempDir
    Path tmp;

    private String openError(String header, int dataBytes) throws IOException {
        Path f = Crafted.file(tmp, "bad.safetensors", header, dataBytes);
        LlmoptException e = org.junit.jupiter.api.Assertions.assertThrows(LlmoptException.class, () -> SafetensorsFile.open(f).close(),
                () -> "expected " + f + " to be rejected");
        assertThat(e.getMessage()).startsWith(f.toString()).doesNotContain("\n");
        return e.getMessage().substring(f.toString().length());
    }

    private static final String T = "\"t\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}";

    @Test
    void acceptsAMinimalFileAndTheEmptyHeader() throws IOException {
        Path f = Crafted.file(tmp, "ok.safetensors", "{" + T + "}  ", 16);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertThat(st.tensor("t").shape()).containsExactly(2, 2);
            assertThat(st.metadata()).isEmpty();
        }
        try (SafetensorsFile st = SafetensorsFile.open(Crafted.file(tmp, "empty.safetensors", "{}", 0))) {
            assertThat(st.tensorNames()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        tensor data is bigger than its shape        | {"t":{"dtype":"F32","shape":[2,2],"data_offsets":[0,20]}}                        | 20 | : tensor 't': F32 [2, 2] needs 16 bytes but data_offsets [0, 20] span 20
        dtype misspelt                              | {"t":{"dtype":"f32","shape":[2,2],"data_offsets":[0,16]}}                        | 16 | : tensor 't': unknown dtype 'f32', expected one of [BOOL,
        missing shape                               | {"t":{"dtype":"F32","data_offsets":[0,16]}}                                      | 16 | : tensor 't': missing or non-array field 'shape'
        negative dimension                          | {"t":{"dtype":"F32","shape":[-2,2],"data_offsets":[0,16]}}                       | 16 | : tensor 't': 'shape'[0] must be a non-negative integer, found -2
        fractional dimension                        | {"t":{"dtype":"F32","shape":[2.0,2],"data_offsets":[0,16]}}                      | 16 | : tensor 't': 'shape'[0] must be a non-negative integer, found 2.0
        three offsets                               | {"t":{"dtype":"F32","shape":[2,2],"data_offsets":[0,8,16]}}                      | 16 | : tensor 't': 'data_offsets' must have 2 elements, found 3
        begin after end                             | {"t":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}                           | 16 | : tensor 't': data_offsets [8, 0] begin after end
        end past the data                           | {"t":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}                        | 12 | : tensor 't': data_offsets [0, 16] run past the end of the data section (12 bytes)
        huge offset                                 | {"t":{"dtype":"F32","shape":[2,2],"data_offsets":[0,18446744073709551615]}}      | 16 | : tensor 't': 'data_offsets'[1] must be a non-negative integer, found 18446744073709551615
        element count overflows                     | {"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,16]}}      | 16 | : tensor 't': shape [4294967296, 4294967296] has too many elements
        sub-byte dtype with odd count               | {"t":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}                            | 2  | : tensor 't': F4 [3] is not a whole number of bytes or too large
        entry is not an object                      | {"t":[1,2]}                                                                      | 0  | : tensor 't': expected an object with dtype, shape and data_offsets, found ARRAY
        overlapping tensors                         | {"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}} | 12 | : tensors 'a' [0, 8) and 'b' [4, 12) overlap in the data section
        gap between tensors                         | {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}  | 12 | : data section bytes [4, 8) are not covered by any tensor (tensors must fill the data section without gaps)
        trailing bytes after the last tensor        | {"t":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}                        | 20 | : data section bytes [16, 20) are not covered by any tensor (tensors must fill the data section without gaps)
        metadata value is a number                  | {"__metadata__":{"format":"pt","step":5}}                                        | 0  | : __metadata__ value 'step' must be a string, found NUMBER
        metadata is a list                          | {"__metadata__":["pt"]}                                                          | 0  | : __metadata__ must be an object of strings, found ARRAY
        entry is a number                           | {"t":1}                                                                          | 0  | : tensor 't': expected an object with dtype, shape and data_offsets, found NUMBER
        duplicate key                               | {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}   | 4  | : header is not valid JSON at line 1 column
        trailing garbage after the object           | {"t":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}} x                      | 16 | : header is not valid JSON at line 1 column
        unterminated JSON                           | {"t":{"dtype":"F32"                                                              | 0  | : header is not valid JSON at line 1 column
        header does not start with a brace          | ' {}'                                                                            | 0  | : header must start with '{' (byte 8 of the file) but starts with byte 0x20
        """)
    void rejectsWithAPreciseMessage(String what, String header, int dataBytes, String expectedMessageStart) throws IOException {
        assertThat(openError(header, dataBytes)).as(what).startsWith(expectedMessageStart);
    }

    @Test
    void rejectsBadLengthPrefixesAndTinyFiles() throws IOException {
        Path tiny = Files.write(tmp.resolve("tiny.safetensors"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.open(tiny)).isInstanceOf(LlmoptException.class)
                .hasMessage(tiny + ": file is 3 bytes, too small for a safetensors file (needs at least the 8-byte header length)");

        byte[] good = Crafted.bytes("{" + T + "}", 16);
        Path f = tmp.resolve("len.safetensors");
        ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L); // 2^64 - 1
        Files.write(f, good);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(LlmoptException.class)
                .hasMessage(f + ": header length 18446744073709551615 (first 8 bytes) exceeds the limit of 100000000 bytes; not a safetensors file or corrupted");

        ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).putLong(0, good.length - 7);
        Files.write(f, good);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(LlmoptException.class)
                .hasMessage(f + ": header length " + (good.length - 7) + " (first 8 bytes) runs past the end of the " + good.length
                        + "-byte file; truncated or not a safetensors file");

        ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 0);
        Files.write(f, good);
        assertThatThrownBy(() -> SafetensorsFile.open(f)).hasMessage(f + ": header is empty; expected a JSON object starting with '{'");
    }

    @Test
    void rejectsInvalidUtf8() throws IOException {
        byte[] header = "{\"x\":{}}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        header[3] = (byte) 0xC3; // a lead byte followed by '"': malformed
        Path f = Files.write(tmp.resolve("utf.safetensors"), Crafted.bytes(header, new byte[0]));
        assertThatThrownBy(() -> SafetensorsFile.open(f)).isInstanceOf(LlmoptException.class)
                .hasMessage(f + ": header is not valid UTF-8 near file offset 11");
    }

    @Test
    void unsupportedDtypesAreListedButNotReadableAndIntegerTypesAreExposed() throws IOException {
        String header = "{\"mask\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]},"
                + "\"ids\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[4,12]},"
                + "\"fp8\":{\"dtype\":\"F8_E4M3\",\"shape\":[2,2],\"data_offsets\":[12,16]},"
                + "\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[16,20]}}";
        byte[] data = new byte[20];
        data[4] = 7; // ids[0] = 7 (little-endian)
        data[17] = 0x3F; // w[0] = bf16 0x3F00 = 0.5
        data[18] = (byte) 0x80;
        data[19] = (byte) 0xBF; // w[1] = bf16 0xBF80 = -1
        Path f = Files.write(tmp.resolve("types.safetensors"), Crafted.bytes(header.getBytes(), data));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertThat(st.tensorNames()).containsExactly("mask", "ids", "fp8", "w");
            assertThat(st.findEntry("mask")).get().extracting(SafetensorsEntry::dtype).isEqualTo(SafetensorsDtype.U8);
            assertThatThrownBy(() -> st.tensor("mask")).isInstanceOf(LlmoptException.class)
                    .hasMessage(f + ": tensor 'mask' has unsupported dtype U8 (llmopt reads F32, F16, BF16, F64, I8, I16, I32, I64 from safetensors)");
            assertThatThrownBy(() -> st.findTensor("fp8")).isInstanceOf(LlmoptException.class).hasMessageContaining("unsupported dtype F8_E4M3");
            Tensor ids = st.tensor("ids");
            assertThat(ids.type()).isEqualTo(GgmlType.I32);
            assertThat(ids.data().get(io.llmopt.tensor.Layouts.INT, 0)).isEqualTo(7);
            assertThat(st.tensor("w").toFloatArray()).containsExactly(0.5f, -1f);
            assertThatThrownBy(() -> st.tensor("nope")).isInstanceOf(LlmoptException.class)
                    .hasMessage(f + ": no tensor 'nope' (the file has 4 tensors)");
            assertThat(st.findTensor("nope")).isEmpty();
        }
    }

    @Test
    void controlCharactersInNamesStayOnOneLine() throws IOException {
        String msg = openError("{\"a\\nb\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8);
        assertThat(msg).isEqualTo(": tensor 'a\\u000ab': F32 [1] needs 4 bytes but data_offsets [0, 8] span 8");
    }

    @Test
    void pathsThatAreNotThere() {
        Path missing = tmp.resolve("missing.safetensors");
        assertThatThrownBy(() -> SafetensorsFile.open(missing)).isInstanceOf(LlmoptException.class)
                .hasMessage(missing + ": no such file or directory");
        assertThatThrownBy(() -> SafetensorsFile.open(tmp)).isInstanceOf(LlmoptException.class)
                .hasMessage(tmp + ": no model.safetensors or model.safetensors.index.json in this directory");
    }

    @Test
    void closedFileRefusesAccess() throws IOException {
        Path f = Crafted.file(tmp, "ok.safetensors", "{" + T + "}", 16);
        SafetensorsFile st = SafetensorsFile.open(f);
        Tensor t = st.tensor("t");
        st.close();
        assertThatThrownBy(() -> st.tensor("t")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(t::toFloatArray).isInstanceOf(IllegalStateException.class);
    }
}
