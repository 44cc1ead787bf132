package io.llmopt.formats.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.Tensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offsets beyond 2^31 and writes larger than one chunk, without needing gigabytes of real disk or memory. */
class LargeFileTest {
    @TempDir
    Path tmp;

    /** A sparse 2.4 GB file: a huge zero tensor, then a small one whose bytes live past the 2 GiB mark. */
    @Test
    void readsTensorsBeyondTwoGigabytes() throws IOException {
        long big = 600_000_000L; // F32 elements: 2.4e9 bytes
        String header = "{\"big\":{\"dtype\":\"F32\",\"shape\":[" + big + "],\"data_offsets\":[0," + big * 4 + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big * 4 + "," + (big * 4 + 8) + "]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        Path f = tmp.resolve("big.safetensors");
        long dataStart = 8 + h.length;
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(dataStart + big * 4 + 8); // sparse: no blocks allocated for the zeros
            raf.write(le(h.length));
            raf.write(h);
            raf.seek(dataStart + big * 4);
            raf.write(le(Float.floatToRawIntBits(1.5f)), 0, 4);
            raf.write(le(Float.floatToRawIntBits(-2f)), 0, 4);
        }
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            Tensor tail = st.tensor("tail");
            assertThat(tail.toFloatArray()).containsExactly(1.5f, -2f);
            Tensor b = st.tensor("big");
            assertThat(b.byteSize()).isEqualTo(big * 4);
            assertThat(b.data().get(Layouts.FLOAT, big * 4 - 4)).isZero();
        }
    }

    private static byte[] le(long v) {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (v >>> (8 * i));
        }
        return out;
    }

    /** 72 MB of F32 bytes (more than one 64 MB channel write) and 1.5 M floats (more than one encode chunk). */
    @Test
    void writesTensorsLargerThanOneChunk() {
        long n = 18_000_000L;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(n * 4);
            for (long i = 0; i < n; i += 1_000_003) {
                seg.set(Layouts.FLOAT, i * 4, i);
            }
            seg.set(Layouts.FLOAT, (n - 1) * 4, 7f);
            float[] floats = new float[1_500_001];
            floats[1_500_000] = 3f;
            floats[1_048_576] = -1f;
            Path f = tmp.resolve("chunks.safetensors");
            new SafetensorsWriter().add(new Tensor("raw", GgmlType.F32, new long[] {n}, seg))
                    .add("enc", GgmlType.BF16, new long[] {floats.length}, floats).write(f);
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                assertThat(st.tensor("raw").data().mismatch(seg)).isEqualTo(-1L);
                float[] back = st.tensor("enc").toFloatArray();
                assertThat(back[1_500_000]).isEqualTo(3f);
                assertThat(back[1_048_576]).isEqualTo(-1f);
                assertThat(back[1_048_575]).isZero();
            }
        }
    }
}
