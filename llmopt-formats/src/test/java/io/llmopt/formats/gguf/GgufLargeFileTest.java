package io.llmopt.formats.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A GGUF larger than 2 GB, written as a sparse file (only the header and the last rows take disk space):
 * tensors and rows beyond the 2^31 byte mark must be addressable through the single mapping.
 */
class GgufLargeFileTest {
    @TempDir
    Path dir;

    @Test
    void tensorsBeyondTwoGigabytesAreReadable() throws IOException {
        long cols = 1024;
        long rows = (1L << 19) + 1; // 2 GB + 4 KB of F32
        long bigBytes = cols * rows * 4;
        byte[] header = GgufBytes.header(3, 2, 1).kvU32("general.alignment", 64)
                .tensor("big", new long[] {cols, rows}, 0, 0)
                .tensor("after", new long[] {4}, 0, GgufHeaderReader.alignUp(bigBytes, 64))
                .pad(64).bytes();
        long dataOffset = header.length;
        Path file = dir.resolve("large.gguf");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(header));
            ByteBuffer lastRow = ByteBuffer.allocate((int) cols * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < cols; i++) {
                lastRow.putFloat(i + 0.5f);
            }
            ch.write(lastRow.flip(), dataOffset + bigBytes - cols * 4);
            ByteBuffer after = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3).putFloat(4);
            ch.write(after.flip(), dataOffset + GgufHeaderReader.alignUp(bigBytes, 64));
        }
        assertThat(Files.size(file)).isGreaterThan(1L << 31);
        try (GgufFile gguf = GgufFile.open(file)) {
            Tensor big = gguf.tensor("big");
            assertThat(big.shape()).containsExactly(rows, cols);
            assertThat(big.byteSize()).isEqualTo(bigBytes);
            float[] row = new float[(int) cols];
            big.readRow(rows - 1, row, 0);
            assertThat(row[0]).isEqualTo(0.5f);
            assertThat(row[1023]).isEqualTo(1023.5f);
            big.readRow(0, row, 0); // a sparse hole reads as zeros
            assertThat(row[7]).isZero();
            assertThat(gguf.tensor("after").toFloatArray()).containsExactly(1, 2, 3, 4);
        }
    }
}
