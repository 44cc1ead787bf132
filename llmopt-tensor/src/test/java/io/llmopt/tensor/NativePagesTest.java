package io.llmopt.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativePagesTest {
    @Test
    void buffersAreZeroedAlignedAndWritable() {
        for (long bytes : new long[] {0, 1, 4095, NativePages.MIN_MAPPED - 1, NativePages.MIN_MAPPED, 3 * NativePages.MIN_MAPPED + 5}) {
            MemorySegment s = NativePages.allocate(bytes);
            assertThat(s.byteSize()).isEqualTo(bytes);
            assertThat(s.address() % 64).as("aligned").isZero();
            if (bytes > 0) {
                assertThat(s.get(ValueLayout.JAVA_BYTE, bytes - 1)).as(bytes + " last byte").isZero();
            }
            for (long o = 0; o < bytes; o += 4093) {
                assertThat(s.get(ValueLayout.JAVA_BYTE, o)).as(bytes + " at " + o).isZero();
                s.set(ValueLayout.JAVA_BYTE, o, (byte) 7);
                assertThat(s.get(ValueLayout.JAVA_BYTE, o)).isEqualTo((byte) 7);
            }
        }
        assertThatThrownBy(() -> NativePages.allocate(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A mapped buffer that is no longer reachable is unmapped: the process's virtual size falls back. */
    @Test
    void unreachableBuffersAreUnmapped() throws Exception {
        Path status = Path.of("/proc/self/status");
        if (!NativePages.mapping() || !Files.exists(status)) {
            System.out.println("NativePagesTest: skipped: no anonymous mappings here (not Linux, or no native access)");
            return;
        }
        long gib = 1L << 30;
        long before = virtualKb(status);
        MemorySegment s = NativePages.allocate(gib);
        s.set(ValueLayout.JAVA_BYTE, gib - 1, (byte) 1);
        assertThat(virtualKb(status) - before).as("mapped").isGreaterThanOrEqualTo(gib / 1024);
        s = null;
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (virtualKb(status) - before >= gib / 1024 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(virtualKb(status) - before).as("unmapped after collection").isLessThan(gib / 1024);
    }

    private static long virtualKb(Path status) throws IOException {
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmSize:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmSize in " + status);
    }
}
