package io.llmopt.tensor.kernel;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Software prefetch for the decode GEMV: the Vector API has no prefetch instruction, so on x86-64 Linux this
 * class writes a 13-byte loop into a page of its own (mmap, then mprotect to read + execute) that issues
 * {@code prefetcht0} for every 64-byte line of [from, to), and calls it through the FFM linker
 * ({@code Linker.Option.critical}: no thread-state transition). The Q4_0 GEMV asks for its four panels' block
 * {@link #DISTANCE} blocks ahead at every block: on the session-9 host (2 Zen 5 cores) one core then reads Q4_0 from
 * memory at 26.8–27.4 GB/s instead of 18.4–18.9, two at 37.6–38.2 instead of 32.4; in cache it costs 17 % (the call
 * makes C2 save the live vectors). Issued prefetches never fault and never change a result.
 *
 * <p>{@code -Dllmopt.prefetch=N} sets the distance in blocks (0 turns it off). Elsewhere than x86-64 Linux, or if
 * the page cannot be made, {@link #ENABLED} is false, with a one-line log of the reason, and {@link #range} does
 * nothing.
 */
final class Prefetch {
    /** Blocks ahead of the one being computed (4: measured best of 2, 3, 4, 6 on the session-9 host). */
    static final int DISTANCE = Integer.getInteger("llmopt.prefetch", 4);
    /** The stub: prefetcht0 [rdi]; add rdi, 64; cmp rdi, rsi; jb back; ret. */
    private static final byte[] CODE = {0x0F, 0x18, 0x0F, 0x48, (byte) 0x83, (byte) 0xC7, 0x40, 0x48, 0x39, (byte) 0xF7, 0x72, (byte) 0xF4,
        (byte) 0xC3};
    private static final MethodHandle STUB = stub();
    /** Whether the GEMV prefetches. */
    static final boolean ENABLED = STUB != null;

    private Prefetch() {
    }

    private static MethodHandle stub() {
        if (DISTANCE <= 0) {
            return null;
        }
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!(arch.equals("amd64") || arch.equals("x86_64")) || !os.contains("linux")) {
            Logger.getLogger(Prefetch.class.getName()).fine("no software prefetch: not x86-64 Linux (" + os + ", " + arch + ")");
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            ValueLayout.OfInt i = ValueLayout.JAVA_INT;
            ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
            MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                    FunctionDescriptor.of(l, l, l, i, i, i, l));
            MethodHandle mprotect = linker.downcallHandle(linker.defaultLookup().find("mprotect").orElseThrow(),
                    FunctionDescriptor.of(i, l, l, i));
            long page = (long) mmap.invokeExact(0L, 4096L, 3 /* PROT_READ | PROT_WRITE */, 0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */, -1, 0L);
            if (page == -1L || page == 0L) {
                throw new IllegalStateException("mmap failed");
            }
            MemorySegment.copy(MemorySegment.ofArray(CODE), 0, MemorySegment.ofAddress(page).reinterpret(4096), 0, CODE.length);
            if ((int) mprotect.invokeExact(page, 4096L, 5 /* PROT_READ | PROT_EXEC */) != 0) {
                throw new IllegalStateException("mprotect failed");
            }
            return linker.downcallHandle(MemorySegment.ofAddress(page), FunctionDescriptor.ofVoid(l, l), Linker.Option.critical(false));
        } catch (Throwable e) {
            Logger.getLogger(Prefetch.class.getName()).info("no software prefetch: " + e);
            return null;
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
