package io.llmopt.tensor.kernel;

import io.llmopt.tensor.ColumnPanels;
import io.llmopt.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Reads a GEMV work unit's bytes once, one int per 64-byte line, just before the kernel runs over them: a pass
 * with almost no work per line keeps many cache misses in flight, so the unit arrives in the caches at the
 * speed of the read probe, and the kernel then runs at its in-cache speed. It pays where a kernel is much slower
 * from memory than from the caches: on the session-9 host (2 Zen 5 cores, 2026-11-23) the Q6_K GEMV ran at 11.8 GB/s
 * per core from memory against 50 in cache and Q4_K at 13.7 against 39, while Q4_0 (19.6 against 42) and Q8_0
 * lost from the extra pass (CpuTimeBench TYPE 2048 5632 1 512 T 2, BENCHMARKS "A third host"). So it is on for
 * Q4_K and Q6_K where software prefetch is not available; {@code -Dllmopt.stage=Q4_0,Q8_0,…} (or {@code none}) chooses other types for measurements. It never
 * changes a result: the values read are only folded into {@link #sink}, so that the JIT cannot drop the reads.
 */
final class CacheStage {
    /**
     * The types staged: from -Dllmopt.stage (comma-separated type names, or "none"); by default Q4_K and Q6_K
     * where {@link Prefetch} is not available (where it is, prefetching in the kernels did better: Q6_K 45.6
     * against 36.0 GB/s on two threads, Q4_K 37.4 against 31.5).
     */
    static final Set<GgmlType> TYPES = parse(System.getProperty("llmopt.stage", Prefetch.ENABLED ? "none" : "Q4_K,Q6_K"));
    /** Where the folded reads go (a volatile write per unit, so the reads stay). */
    static volatile int sink;

    private CacheStage() {
    }

    static Set<GgmlType> parse(String spec) {
        Set<GgmlType> s = EnumSet.noneOf(GgmlType.class);
        for (String t : spec.split(",")) {
            String n = t.trim();
            if (!n.isEmpty() && !n.equalsIgnoreCase("none")) {
                try {
                    s.add(GgmlType.byName(n.toUpperCase(Locale.ROOT)));
                } catch (io.llmopt.tensor.LlmoptException e) { // a mistyped flag must not stop the kernels from loading
                    java.util.logging.Logger.getLogger(CacheStage.class.getName()).warning("-Dllmopt.stage: " + e.getMessage() + ", ignored");
                }
            }
        }
        return s;
    }

    /** Whether the GEMV stages the units of {@code f}. */
    static boolean staged(ColumnPanels f) {
        return TYPES.contains(f.type());
    }

    /** Stages panels [p, p + k) of {@code f} (clipped to its last panel). */
    static void panels(ColumnPanels f, int p, int k) {
        sink = touch(f.data(), f.panelOffset(p), f.panelOffset(Math.min(p + k, f.panels())));
    }

    /**
     * The xor of the ints at from, from + 64, from + 128, … below to − 3 (every 64-byte line of [from, to) that
     * holds a whole int at its start), four independent chains so that the loads do not wait on each other.
     */
    static int touch(MemorySegment d, long from, long to) {
        int a = 0, b = 0, c = 0, e = 0;
        long o = from;
        for (; o + 196 <= to; o += 256) {
            a ^= d.get(ValueLayout.JAVA_INT_UNALIGNED, o);
            b ^= d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 64);
            c ^= d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 128);
            e ^= d.get(ValueLayout.JAVA_INT_UNALIGNED, o + 192);
        }
        for (; o + 4 <= to; o += 64) {
            a ^= d.get(ValueLayout.JAVA_INT_UNALIGNED, o);
        }
        return a ^ b ^ c ^ e;
    }
}
