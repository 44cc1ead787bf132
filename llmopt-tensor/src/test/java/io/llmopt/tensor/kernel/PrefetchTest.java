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

    @Test
    void prefetchesJavaArraysInPlaceWithoutChangingThem() {
        float[] a = new float[100_003];
        for (int i = 0; i < a.length; i++) {
            a[i] = i * 0.5f;
        }
        Prefetch.floats(a, 0, a.length); // every line
        Prefetch.floats(a, 17, 18); // one line, unaligned
        Prefetch.floats(a, -50, 40); // clamped at the start
        Prefetch.floats(a, a.length - 5, a.length + 1000); // clamped at the end
        Prefetch.floats(a, 500, 400); // reversed: nothing
        Prefetch.floats(new float[0], 0, 10); // empty array: nothing
        for (int round = 0; round < 20_000; round++) { // compiled, and with the collector moving arrays meanwhile
            float[] garbage = new float[1 << 10];
            Prefetch.floats(garbage, 0, garbage.length);
            Prefetch.floats(a, (round * 64) % a.length, (round * 64) % a.length + 4096);
        }
        for (int i = 0; i < a.length; i++) {
            assertThat(a[i]).isEqualTo(i * 0.5f);
        }
    }
}
