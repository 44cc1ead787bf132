package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class PrefetchTest {
    @Test
    void isOnWhereTheStubCanRunAndNeverChangesMemory() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        boolean x86Linux = (arch.equals("amd64") || arch.equals("x86_64")) && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
        if (x86Linux && Prefetch.BYTES > 0) {
            assertThat(Prefetch.ENABLED).as("stub made on x86-64 Linux").isTrue();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(10_000, 64);
            for (long i = 0; i < m.byteSize(); i++) {
                m.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
            }
            long a = m.address();
            Prefetch.range(a, a + m.byteSize()); // every line
            Prefetch.range(a + 5, a + 6); // one line, unaligned
            Prefetch.range(a + 100, a + 100); // empty: one line at from
            Prefetch.range(a + 200, a + 100); // reversed: one line at from
            Prefetch.ahead(m, 0, 576); // within the segment
            Prefetch.ahead(m, m.byteSize() - 1, 1 << 20); // past its end: clamped to its last byte
            Prefetch.ahead(MemorySegment.ofArray(new byte[100]), 0, 64); // heap memory: nothing to do
            for (long i = 0; i < m.byteSize(); i++) {
                assertThat(m.get(ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) (i * 31));
            }
        }
    }
}
