package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import io.llmopt.tensor.GgmlType;
import java.util.List;
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
            Prefetch.ahead(Prefetch.L1, m, 0, 576); // within the segment
            Prefetch.ahead(Prefetch.L1, m, m.byteSize() - 1, 1 << 20); // past its end: clamped to its last byte
            Prefetch.ahead(Prefetch.L1, MemorySegment.ofArray(new byte[100]), 0, 64); // heap memory: nothing to do
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

    @Test
    void readsTheFamilyOfAnAmdProcessorOnly() {
        List<String> zen4 = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 17", "",
                "processor\t: 1", "vendor_id\t: GenuineIntel", "cpu family\t: 6");
        assertThat(Prefetch.amdFamily(zen4)).isEqualTo(25);
        assertThat(Prefetch.amdFamily(List.of("vendor_id : AuthenticAMD", "cpu family : 26"))).isEqualTo(26);
        assertThat(Prefetch.amdFamily(List.of("vendor_id : GenuineIntel", "cpu family : 6"))).isEqualTo(-1);
        assertThat(Prefetch.amdFamily(List.of("vendor_id : AuthenticAMD", "cpu family : x"))).isEqualTo(-1);
        assertThat(Prefetch.amdFamily(List.of("processor : 0", "", "vendor_id : AuthenticAMD", "cpu family : 25"))).as("first processor only").isEqualTo(-1);
        assertThat(Prefetch.amdFamily(List.of())).isEqualTo(-1);
    }

    @Test
    void levelsPerTypeOnAmdFamily19hAndWhereTold() {
        assertThat(Prefetch.levels(null, 0x19)).containsOnly(entry(GgmlType.Q8_0, Prefetch.NONE), entry(GgmlType.Q4_0, Prefetch.NONE),
                entry(GgmlType.Q4_K, Prefetch.L2), entry(GgmlType.Q5_0, Prefetch.L2), entry(GgmlType.Q5_1, Prefetch.L2));
        assertThat(Prefetch.levels(null, 0x1A)).isEmpty();
        assertThat(Prefetch.levels(null, -1)).isEmpty();
        assertThat(Prefetch.levels("q6_k=2, Q8_0 = 0", 0x1A)).containsOnly(entry(GgmlType.Q6_K, Prefetch.L2), entry(GgmlType.Q8_0, Prefetch.NONE));
        assertThat(Prefetch.levels("Q4_K=1", 0x19)).containsEntry(GgmlType.Q4_K, Prefetch.L1).containsEntry(GgmlType.Q8_0, Prefetch.NONE);
        assertThat(Prefetch.levels("Q9_9=1,Q4_0=3,Q6_K,Q5_K=x,,Q2_K=0", 0x1A)).as("malformed entries are ignored")
                .containsOnly(entry(GgmlType.Q2_K, Prefetch.NONE));
        if (Prefetch.ENABLED) {
            assertThat(Prefetch.level(GgmlType.F16)).as("types without a default").isEqualTo(Prefetch.L1);
        }
    }

    @Test
    void prefetchesAtEveryLevelWithoutChangingMemory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = arena.allocate(20_000, 64);
            for (long i = 0; i < m.byteSize(); i++) {
                m.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            }
            for (int level : new int[] {Prefetch.NONE, Prefetch.L1, Prefetch.L2}) {
                Prefetch.ahead(level, m, 0, 1088);
                Prefetch.ahead(level, m, m.byteSize() - 10, 4096); // clamped to the last byte
                Prefetch.ahead4(level, m, 0, 5000, 10_000, 15_000, 576);
                Prefetch.ahead4(level, m, 19_000, 19_990, 0, m.byteSize() + 50, 4096); // clamped to end by the last byte
                Prefetch.ahead4(level, m, 0, 0, 0, 0, 1 << 20); // longer than the segment: from its start
                Prefetch.ahead2(level, m, 64, 9000, 1088);
                Prefetch.ahead2(level, m, m.byteSize() - 1, m.byteSize() - 100, 4096);
                Prefetch.ahead4(level, MemorySegment.ofArray(new byte[100]), 0, 0, 0, 0, 64); // heap memory: nothing to do
                Prefetch.ahead2(level, MemorySegment.ofArray(new byte[100]), 0, 0, 64);
            }
            for (int round = 0; round < 20_000; round++) { // compiled too
                Prefetch.ahead4(Prefetch.L2, m, round % 3000, 3000 + round % 3000, 9000, 12_000, 576);
                Prefetch.ahead2(Prefetch.L1, m, round % 5000, 10_000, 576);
            }
            for (long i = 0; i < m.byteSize(); i++) {
                assertThat(m.get(ValueLayout.JAVA_BYTE, i)).isEqualTo((byte) (i * 7));
            }
        }
    }

    @Test
    void panelStubsAreTheHandAssembledLoops() {
        // the bytes objdump -D -b binary -mi386:x86-64 decodes as: xor %eax,%eax; prefetcht0/t2 (%rdi,%rax,1) …
        // (%rcx,%rax,1); add $0x40,%rax; cmp %r8,%rax (four) or cmp %rdx,%rax (two); jb to the first prefetch; ret
        assertThat(Prefetch.panelsCode(4, false)).containsExactly(0x31, 0xC0, 0x0F, 0x18, 0x0C, 0x07, 0x0F, 0x18, 0x0C, 0x06, 0x0F, 0x18, 0x0C, 0x02,
                0x0F, 0x18, 0x0C, 0x01, 0x48, 0x83, 0xC0, 0x40, 0x4C, 0x39, 0xC0, 0x72, 0xE7, 0xC3);
        assertThat(Prefetch.panelsCode(4, true)).containsExactly(0x31, 0xC0, 0x0F, 0x18, 0x1C, 0x07, 0x0F, 0x18, 0x1C, 0x06, 0x0F, 0x18, 0x1C, 0x02,
                0x0F, 0x18, 0x1C, 0x01, 0x48, 0x83, 0xC0, 0x40, 0x4C, 0x39, 0xC0, 0x72, 0xE7, 0xC3);
        assertThat(Prefetch.panelsCode(2, false)).containsExactly(0x31, 0xC0, 0x0F, 0x18, 0x0C, 0x07, 0x0F, 0x18, 0x0C, 0x06, 0x48, 0x83, 0xC0, 0x40,
                0x48, 0x39, 0xD0, 0x72, 0xEF, 0xC3);
        assertThat(Prefetch.panelsCode(2, true)).containsExactly(0x31, 0xC0, 0x0F, 0x18, 0x1C, 0x07, 0x0F, 0x18, 0x1C, 0x06, 0x48, 0x83, 0xC0, 0x40,
                0x48, 0x39, 0xD0, 0x72, 0xEF, 0xC3);
    }
}
