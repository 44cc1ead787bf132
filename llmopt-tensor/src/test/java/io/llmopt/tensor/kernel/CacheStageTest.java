package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.llmopt.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CacheStageTest {
    /** The obvious loop: one int per 64-byte line that holds a whole int at its start. */
    private static int expected(MemorySegment d, long from, long to) {
        int x = 0;
        for (long o = from; o + 4 <= to; o += 64) {
            x ^= d.get(ValueLayout.JAVA_INT_UNALIGNED, o);
        }
        return x;
    }

    @Test
    void readsOneIntOfEveryLineOfAnyRange() {
        Random r = new Random(9);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = arena.allocate(4096 + 7, 64);
            for (long i = 0; i < d.byteSize(); i++) {
                d.set(ValueLayout.JAVA_BYTE, i, (byte) r.nextInt());
            }
            long[][] ranges = {{0, 4096}, {0, 4096 + 7}, {3, 4000}, {64, 67}, {64, 68}, {100, 100}, {0, 196}, {0, 195}, {0, 260}, {5, 4096 + 7}};
            for (long[] g : ranges) {
                assertThat(CacheStage.touch(d, g[0], g[1])).as("[%d, %d)", g[0], g[1]).isEqualTo(expected(d, g[0], g[1]));
            }
            // a changed int at a line start changes the result: the reads are not skipped
            int before = CacheStage.touch(d, 0, 4096);
            d.set(ValueLayout.JAVA_INT_UNALIGNED, 64L * 37, d.get(ValueLayout.JAVA_INT_UNALIGNED, 64L * 37) ^ 1);
            assertThat(CacheStage.touch(d, 0, 4096)).isEqualTo(before ^ 1);
        }
    }

    @Test
    void parsesTheTypeList() {
        assertThat(CacheStage.parse("Q4_K,Q6_K")).containsExactlyInAnyOrder(GgmlType.Q4_K, GgmlType.Q6_K);
        assertThat(CacheStage.parse(" q4_0 , ")).containsExactly(GgmlType.Q4_0);
        assertThat(CacheStage.parse("none")).isEmpty();
        assertThat(CacheStage.parse("")).isEmpty();
        assertThat(CacheStage.parse("Q4_K,Q9_X")).as("an unknown name is skipped with a warning").containsExactly(GgmlType.Q4_K);
    }
}
