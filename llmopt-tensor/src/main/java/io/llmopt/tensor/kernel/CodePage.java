package io.llmopt.tensor.kernel;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * Executable memory for the machine-code stubs and kernels ({@link Prefetch}, {@link VnniGemm}): pages of their own
 * (mmap), written once, then made read + execute (mprotect), never unmapped (they live as long as the classes that
 * call them). Only on x86-64 Linux.
 */
final class CodePage {
    private CodePage() {
    }

    /** Whether this is x86-64 Linux, where {@link #map} works. */
    static boolean supported() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return (arch.equals("amd64") || arch.equals("x86_64")) && os.contains("linux");
    }

    /**
     * The address of fresh executable pages holding {@code image} from their first byte.
     *
     * @throws IllegalStateException if this is not x86-64 Linux or a system call fails
     */
    static long map(byte[] image) {
        if (!supported()) {
            throw new IllegalStateException("machine code needs x86-64 Linux");
        }
        long size = (image.length + 4095L) & ~4095L;
        try {
            Linker linker = Linker.nativeLinker();
            ValueLayout.OfInt i = ValueLayout.JAVA_INT;
            ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
            MethodHandle mmap = linker.downcallHandle(linker.defaultLookup().find("mmap").orElseThrow(),
                    FunctionDescriptor.of(l, l, l, i, i, i, l));
            MethodHandle mprotect = linker.downcallHandle(linker.defaultLookup().find("mprotect").orElseThrow(),
                    FunctionDescriptor.of(i, l, l, i));
            long page = (long) mmap.invokeExact(0L, size, 3 /* PROT_READ | PROT_WRITE */, 0x22 /* MAP_PRIVATE | MAP_ANONYMOUS */, -1, 0L);
            if (page == -1L || page == 0L) {
                throw new IllegalStateException("mmap failed");
            }
            MemorySegment.copy(MemorySegment.ofArray(image), 0, MemorySegment.ofAddress(page).reinterpret(size), 0, image.length);
            if ((int) mprotect.invokeExact(page, size, 5 /* PROT_READ | PROT_EXEC */) != 0) {
                throw new IllegalStateException("mprotect failed");
            }
            return page;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
