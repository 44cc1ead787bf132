package io.llmopt.tensor.kernel;

import io.llmopt.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Software prefetch for the decode GEMVs: the Vector API has no prefetch instruction, so on x86-64 Linux this
 * class writes a 13-byte loop into a page of its own (mmap, then mprotect to read + execute) that issues
 * {@code prefetcht0} for every 64-byte line of [from, to), and calls it through the FFM linker
 * ({@code Linker.Option.critical}: no thread-state transition). The Q4_0, Q8_0, Q4_K and Q6_K GEMVs ask, at every block
 * or sub-block, for the bytes {@link #BYTES} ahead of the ones they are about to read in each panel, all their panels
 * in one call ({@link #ahead4}, {@link #ahead2}: session 22, in cache on one Zen 4 core Q4_K 17.7–18.3 → 19.2 GB/s,
 * Q6_K 21.4–22.2 → 22.3–23.0, the same from memory). On the
 * session-9 host (2 Zen 5 cores, `CpuTimeBench TYPE 2048 5632 1 512 T 2`, GB/s from memory, one / two threads):
 * Q4_0 18.4–18.9 / 32.4 → 26.8–27.4 / 37.6–38.2 (2304 bytes = 4 blocks ahead; 2, 3 and 6 blocks did less), Q6_K
 * 11.2 / 20.9 → 31.2 / 45.6, Q4_K 13.6 / 25.5 → 26.6 / 37.4; in cache the Q4_0 GEMV loses 17 % (the call makes C2
 * save the live vectors). Q8_0 decode lost 3–7 % with it in session 9; after session 10's kernel fixes (stores no
 * longer boxed) it gains: Q8_0 25.5 / 47–55 → 32.5 / 61–62 GB/s from memory, one / two threads, decode 46–48 →
 * 54.8 GB/s with the read probe at 83 GB/s, while in cache the GEMV loses 30 % (56 → 38–40 GB/s per core). Issued
 * prefetches never fault and never change a result.
 *
 * <p>A second stub takes a Java array (a heap segment passed to a critical downcall that allows heap access) and
 * a byte range of it: attention prefetches the next keys and values of the KV cache with it ({@link #floats}).
 *
 * <p>How each GEMV type prefetches, into L1 (prefetcht0), into L2 only (prefetcht2, a third stub) or not at all, is
 * its {@link #level}: the best measured on the host's kind of processor (session 20: on Zen 4 the prefetcht0 of the
 * Q8_0 and Q4_0 kernels cost them 15–25 % at two threads).
 *
 * <p>{@code -Dllmopt.prefetch=N} sets the distance in bytes (0 turns it off). Elsewhere than x86-64 Linux, or if
 * the page cannot be made, {@link #ENABLED} is false (logged once) and {@link #range} does nothing; the K-quant
 * GEMVs then stage their units instead ({@link CacheStage}).
 */
final class Prefetch {
    /** Bytes ahead of the ones being read, per panel (2304: four Q4_0 blocks of a 512-bit panel). */
    static final long BYTES = Long.getLong("llmopt.prefetch", 2304);
    /** The stub: prefetcht0 [rdi]; add rdi, 64; cmp rdi, rsi; jb back; ret. */
    private static final byte[] CODE = {0x0F, 0x18, 0x0F, 0x48, (byte) 0x83, (byte) 0xC7, 0x40, 0x48, 0x39, (byte) 0xF7, 0x72, (byte) 0xF4,
        (byte) 0xC3};
    /** The L2 stub: as {@link #CODE} with prefetcht2 (0F 18 /3), which on x86 fills the L2 cache but not L1. */
    private static final byte[] CODE_L2 = {0x0F, 0x18, 0x1F, 0x48, (byte) 0x83, (byte) 0xC7, 0x40, 0x48, 0x39, (byte) 0xF7, 0x72, (byte) 0xF4,
        (byte) 0xC3};
    /** The array stub: lea rax, [rdi + rsi]; lea rdx, [rdi + rdx]; then the same loop over [rax, rdx). */
    private static final byte[] ARRAY_CODE = {0x48, (byte) 0x8D, 0x04, 0x37, 0x48, (byte) 0x8D, 0x14, 0x17, 0x0F, 0x18, 0x08, 0x48,
        (byte) 0x83, (byte) 0xC0, 0x40, 0x48, 0x39, (byte) 0xD0, 0x72, (byte) 0xF4, (byte) 0xC3};
    /**
     * The panels stubs: (a0, a1, a2, a3, len) for four panels, (a0, a1, len) for two; xor eax, eax; then prefetch
     * [a_i + rax] for every i, add rax, 64, cmp rax, len, jb back; ret (at least one line per address).
     */
    static byte[] panelsCode(int panels, boolean l2) {
        byte[] bases = {0x07, 0x06, 0x02, 0x01}; // SIB base rdi, rsi, rdx, rcx with index rax
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(0x31);
        b.write(0xC0);
        for (int i = 0; i < panels; i++) {
            b.writeBytes(new byte[] {0x0F, 0x18, (byte) (l2 ? 0x1C : 0x0C), bases[i]});
        }
        b.writeBytes(new byte[] {0x48, (byte) 0x83, (byte) 0xC0, 0x40}); // add rax, 64
        // cmp rax, len: len in rdx (two panels) or r8 (four)
        b.writeBytes(panels == 4 ? new byte[] {0x4C, 0x39, (byte) 0xC0} : new byte[] {0x48, 0x39, (byte) 0xD0});
        int back = 2 - (b.size() + 2);
        b.write(0x72);
        b.write(back & 0xFF);
        b.write(0xC3);
        return b.toByteArray();
    }

    private static final MethodHandle[] STUBS = stubs();
    private static final MethodHandle STUB = STUBS == null ? null : STUBS[0];
    /** (heap segment, from byte, to byte): a critical downcall with heap access, so Java arrays can be prefetched. */
    private static final MethodHandle ARRAY_STUB = STUBS == null ? null : STUBS[1];
    /** {@link #STUB} with prefetcht2. */
    private static final MethodHandle STUB_L2 = STUBS == null ? null : STUBS[2];
    /** Four panels' prefetch, prefetcht0 and prefetcht2; two panels', the same. */
    private static final MethodHandle STUB4 = STUBS == null ? null : STUBS[3], STUB4_L2 = STUBS == null ? null : STUBS[4],
            STUB2 = STUBS == null ? null : STUBS[5], STUB2_L2 = STUBS == null ? null : STUBS[6];
    /** Whether the GEMV prefetches. */
    static final boolean ENABLED = STUB != null;
    /** No prefetch, prefetcht0 (into L1) and prefetcht2 (into L2): the {@link #level} of a GEMV type. */
    static final int NONE = 0, L1 = 1, L2 = 2;
    /** AMD's family 19h (Zen 3 and Zen 4), where some GEMVs run faster with less prefetch (see {@link #level}). */
    private static final int AMD_FAMILY_19H = 0x19;
    /** The prefetch level of each GEMV type. */
    private static final Map<GgmlType, Integer> LEVELS = levels(System.getProperty("llmopt.prefetch.levels"), amdFamily());

    private Prefetch() {
    }

    private static MethodHandle[] stubs() {
        if (BYTES <= 0) {
            return null;
        }
        if (!CodePage.supported()) {
            Logger.getLogger(Prefetch.class.getName()).fine("no software prefetch: not x86-64 Linux");
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
            byte[] image = new byte[448];
            System.arraycopy(CODE, 0, image, 0, CODE.length);
            System.arraycopy(ARRAY_CODE, 0, image, 64, ARRAY_CODE.length);
            System.arraycopy(CODE_L2, 0, image, 128, CODE_L2.length);
            for (int k = 0; k < 4; k++) {
                byte[] c = panelsCode(k < 2 ? 4 : 2, (k & 1) == 1);
                System.arraycopy(c, 0, image, 192 + 64 * k, c.length);
            }
            long page = CodePage.map(image);
            return new MethodHandle[] {
                linker.downcallHandle(MemorySegment.ofAddress(page), FunctionDescriptor.ofVoid(l, l), Linker.Option.critical(false)),
                linker.downcallHandle(MemorySegment.ofAddress(page + 64), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, l, l),
                        Linker.Option.critical(true)),
                linker.downcallHandle(MemorySegment.ofAddress(page + 128), FunctionDescriptor.ofVoid(l, l), Linker.Option.critical(false)),
                linker.downcallHandle(MemorySegment.ofAddress(page + 192), FunctionDescriptor.ofVoid(l, l, l, l, l), Linker.Option.critical(false)),
                linker.downcallHandle(MemorySegment.ofAddress(page + 256), FunctionDescriptor.ofVoid(l, l, l, l, l), Linker.Option.critical(false)),
                linker.downcallHandle(MemorySegment.ofAddress(page + 320), FunctionDescriptor.ofVoid(l, l, l), Linker.Option.critical(false)),
                linker.downcallHandle(MemorySegment.ofAddress(page + 384), FunctionDescriptor.ofVoid(l, l, l), Linker.Option.critical(false))};
        } catch (Throwable e) {
            Logger.getLogger(Prefetch.class.getName()).info("no software prefetch: " + e);
            return null;
        }
    }

    /**
     * How the decode GEMV of {@code type} prefetches: {@link #NONE} unless {@link #ENABLED}, else {@link #L1} except on
     * AMD family 19h, where Q8_0 and Q4_0 take {@link #NONE} and Q4_K, Q5_0 and Q5_1 {@link #L2}. On the session-20
     * Zen 4 host (`CpuTimeBench TYPE 5632 2048 1 512 2 2`, GB/s from memory at two threads, L1 / L2 / none): Q8_0
     * 24–26 / 30–35 / 29–32 (one thread 14.4 / 17.6 / 21.9), Q4_0 25–27 / 30–32 / 31 (one thread 14.6 / 18.1 / 19.2),
     * Q4_K 21–22 / 26–27 / 22.5, Q5_0 17.5 / 22.7 / 22, Q5_1 20–22 / 19–23 / 20, while Q6_K 30–32 / 28 / 20–21,
     * Q5_K 20 / 19.4 / 11.5, Q3_K 17–18 / 17.5–18 / 13.7 and Q2_K 11.6–11.9 / 10–11.4 / 10.3 want L1 (none: without
     * {@link CacheStage}). On the Zen 5 host of sessions 9–19, L1 raised Q8_0 from 47–55 to 61–62 and Q4_0 from 32 to 38.
     * {@code -Dllmopt.prefetch.levels=Q4_K=1,Q8_0=2} sets levels per type (0, 1 or 2) over these defaults.
     */
    static int level(GgmlType type) {
        return ENABLED ? LEVELS.getOrDefault(type, L1) : NONE;
    }

    /**
     * The levels: the defaults of {@link #level} for {@code amdFamily}, then {@code spec}'s entries (TYPE=LEVEL,
     * comma-separated; a malformed entry is logged and ignored).
     */
    static Map<GgmlType, Integer> levels(String spec, int amdFamily) {
        Map<GgmlType, Integer> m = new EnumMap<>(GgmlType.class);
        if (amdFamily == AMD_FAMILY_19H) {
            m.put(GgmlType.Q8_0, NONE);
            m.put(GgmlType.Q4_0, NONE);
            m.put(GgmlType.Q4_K, L2);
            m.put(GgmlType.Q5_0, L2);
            m.put(GgmlType.Q5_1, L2);
        }
        if (spec != null) {
            for (String entry : spec.split(",")) {
                if (entry.isBlank()) {
                    continue;
                }
                try {
                    int eq = entry.indexOf('=');
                    int level = Integer.parseInt(entry.substring(eq + 1).trim());
                    if (eq < 0 || level < NONE || level > L2) {
                        throw new IllegalArgumentException("expected TYPE=0, 1 or 2");
                    }
                    m.put(GgmlType.byName(entry.substring(0, eq).trim()), level);
                } catch (RuntimeException e) {
                    Logger.getLogger(Prefetch.class.getName()).warning("llmopt.prefetch.levels: '" + entry.trim() + "' ignored (" + e.getMessage() + ")");
                }
            }
        }
        return m;
    }

    /** The CPU family of an AMD processor from /proc/cpuinfo, or −1 (another vendor, or not known). */
    static int amdFamily() {
        try {
            return amdFamily(Files.readAllLines(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {@link #amdFamily()} from the lines of /proc/cpuinfo (its first processor's vendor_id and cpu family). */
    static int amdFamily(List<String> cpuinfo) {
        boolean amd = false;
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                if (line.isBlank()) {
                    break; // the end of the first processor
                }
                continue;
            }
            String key = line.substring(0, colon).trim(), value = line.substring(colon + 1).trim();
            if (key.equals("vendor_id")) {
                amd = value.equals("AuthenticAMD");
            } else if (key.equals("cpu family") && amd) {
                try {
                    return Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Prefetches the {@code len} bytes at {@code o + BYTES} of {@code d} (clamped to its last byte): what a kernel
     * reading at o will read next. At {@link #L1} into L1, at {@link #L2} into L2 only, at {@link #NONE} not at all (a
     * constant level folds the choice away). Does nothing unless {@link #ENABLED} and d is native memory.
     */
    static void ahead(int level, MemorySegment d, long o, long len) {
        if (level != NONE && STUB != null && d.isNative()) {
            long base = d.address(), last = base + d.byteSize() - 1, from = base + o + BYTES;
            try {
                if (level == L2) {
                    STUB_L2.invokeExact(Math.min(from, last), Math.min(from + len, last));
                } else {
                    STUB.invokeExact(Math.min(from, last), Math.min(from + len, last));
                }
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * {@link #ahead} for four panels in one call: the {@code len} bytes at o_i + BYTES for each of o0 … o3, each start
     * clamped so that its range ends by d's last byte (to d's start if len exceeds d: prefetches past it never fault). One downcall instead of four: each costs a fixed overhead and
     * makes C2 save the kernel's live vectors.
     */
    static void ahead4(int level, MemorySegment d, long o0, long o1, long o2, long o3, long len) {
        if (level != NONE && STUB4 != null && d.isNative()) {
            long base = d.address(), lim = Math.max(base, base + d.byteSize() - len), at = base + BYTES;
            try {
                (level == L2 ? STUB4_L2 : STUB4).invokeExact(Math.min(at + o0, lim), Math.min(at + o1, lim), Math.min(at + o2, lim),
                        Math.min(at + o3, lim), len);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** {@link #ahead4} for two panels. */
    static void ahead2(int level, MemorySegment d, long o0, long o1, long len) {
        if (level != NONE && STUB2 != null && d.isNative()) {
            long base = d.address(), lim = Math.max(base, base + d.byteSize() - len), at = base + BYTES;
            try {
                (level == L2 ? STUB2_L2 : STUB2).invokeExact(Math.min(at + o0, lim), Math.min(at + o1, lim), len);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Prefetches the lines of a[from, to) (clamped to the array; at least the line of a[from] when from &lt; to).
     * The array is passed to a critical downcall with heap access, which reads its address in place and keeps
     * the garbage collector from moving it during the call. Does nothing unless {@link #ENABLED}.
     */
    static void floats(float[] a, int from, int to) {
        int f = Math.max(0, from), t = Math.min(a.length, to);
        if (f < t) {
            heap(MemorySegment.ofArray(a), 4L * f, 4L * t);
        }
    }

    /** {@link #floats} for a short[] (the binary16 KV cache): the lines of a[from, to). */
    static void shorts(short[] a, int from, int to) {
        int f = Math.max(0, from), t = Math.min(a.length, to);
        if (f < t) {
            heap(MemorySegment.ofArray(a), 2L * f, 2L * t);
        }
    }

    /** {@link #floats} for a byte[] (the q8_0 KV cache): the lines of a[from, to). */
    static void bytes(byte[] a, int from, int to) {
        int f = Math.max(0, from), t = Math.min(a.length, to);
        if (f < t) {
            heap(MemorySegment.ofArray(a), f, t);
        }
    }

    /** The array stub on bytes [from, to) of a heap segment (from &lt; to). */
    private static void heap(MemorySegment array, long from, long to) {
        if (ARRAY_STUB == null) {
            return;
        }
        try {
            ARRAY_STUB.invokeExact(array, from, to);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Prefetches the lines of native memory [from, to) (absolute addresses; at least one line, at from, is
     * requested even if to ≤ from). Does nothing unless {@link #ENABLED}.
     */
    static void range(long from, long to) {
        if (STUB == null) {
            return;
        }
        try {
            STUB.invokeExact(from, to);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
