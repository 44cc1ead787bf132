package io.llmopt.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;
import java.util.logging.Logger;

/**
 * Large zeroed native buffers whose pages the operating system zeroes when they are first written, for memory a
 * caller is about to write in full from several threads (the packed weight forms). {@code Arena.allocate}
 * zero-fills on the calling thread: for a 2.2 GB F16 model that thread faults in and clears every page before
 * the packers start (0.9 s on the session-17 host, against 0.38 s for two threads faulting the pages in as they
 * write them). On Linux this class maps anonymous memory instead ({@code mmap}: pages read as zero until
 * written) and unmaps it when the returned segment's automatic arena is collected. Elsewhere, without native
 * access, or if the mapping fails, it falls back to {@code Arena.ofAuto().allocate}.
 * {@code -Dllmopt.nativePages=false} turns the mapping off.
 */
public final class NativePages {
    /** Smaller buffers come from the arena: the fill costs little there. */
    static final long MIN_MAPPED = 1 << 20;
    private static final int PROT_READ_WRITE = 3;
    private static final int MAP_PRIVATE_ANONYMOUS = 0x22;
    /** mmap and munmap, or null where not available. */
    private static final MethodHandle[] CALLS = calls();

    private NativePages() {
    }

    private static MethodHandle[] calls() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !Boolean.parseBoolean(System.getProperty("llmopt.nativePages", "true"))) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            ValueLayout.OfInt i = ValueLayout.JAVA_INT;
            ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
            return new MethodHandle[] {
                linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(), FunctionDescriptor.of(l, l, l, i, i, i, l)),
                linker.downcallHandle(linker.defaultLookup().find("munmap").orElseThrow(), FunctionDescriptor.of(i, l, l))};
        } catch (Throwable e) { // no native access granted, or no such symbols
            Logger.getLogger(NativePages.class.getName()).fine("native pages off: " + e);
            return null;
        }
    }

    /**
     * A zeroed native segment of {@code bytes} bytes, aligned to 64 bytes, that lives as long as it (or a slice of
     * it) is reachable.
     */
    public static MemorySegment allocate(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative size " + bytes);
        }
        if (CALLS == null || bytes < MIN_MAPPED) {
            return Arena.ofAuto().allocate(bytes, 64);
        }
        long address;
        try {
            address = (long) CALLS[0].invokeExact(0L, bytes, PROT_READ_WRITE, MAP_PRIVATE_ANONYMOUS, -1, 0L);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        if (address == -1L || address == 0L) { // MAP_FAILED: the arena tries, and reports a shortage its own way
            return Arena.ofAuto().allocate(bytes, 64);
        }
        MethodHandle munmap = CALLS[1];
        return MemorySegment.ofAddress(address).reinterpret(bytes, Arena.ofAuto(), s -> {
            try {
                int ignored = (int) munmap.invokeExact(address, bytes);
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Whether {@link #allocate} maps large buffers here rather than taking them from an arena. */
    public static boolean mapping() {
        return CALLS != null;
    }
}
