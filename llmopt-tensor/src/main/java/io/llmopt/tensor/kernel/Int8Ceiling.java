package io.llmopt.tensor.kernel;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The machine's 8-bit multiply-add ceiling, the limit of the VNNI kernels ({@link VnniGemm}, {@link VnniGemv}): a
 * machine-code loop of {@link #CHAINS} independent {@code vpdpbusd} chains on zmm registers, each with the embedded
 * broadcast operand the kernels use (64 byte products, 128 integer operations, per instruction). For the bench
 * module's MachineCeilings; {@link #available} where {@link VnniGemm#AVAILABLE}.
 */
public final class Int8Ceiling {
    /** Independent accumulators (latency 4–5 cycles × up to two per cycle, with room to spare). */
    public static final int CHAINS = 12;
    /** Integer operations (a multiply and an add per byte product) per instruction. */
    public static final int OPS_PER_INSTRUCTION = 128;
    private static final MethodHandle KERNEL = kernel();
    private static final MemorySegment OPERAND = Arena.global().allocate(64, 64);

    private Int8Ceiling() {
    }

    /** Whether {@link #run} runs here. */
    public static boolean available() {
        return KERNEL != null;
    }

    /** Runs iterations × {@link #CHAINS} {@code vpdpbusd} on the calling thread. */
    public static void run(long iterations) {
        if (KERNEL == null || iterations <= 0) {
            throw new IllegalStateException("no VNNI kernel here (or iterations ≤ 0)");
        }
        try {
            KERNEL.invokeExact(iterations, OPERAND.address());
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** (iterations ≥ 1, operand address): rdi, rsi. */
    static byte[] code() {
        X86Asm a = new X86Asm();
        for (int i = 0; i < CHAINS; i++) {
            a.zero(i);
        }
        a.zero(16);
        int loop = a.position();
        for (int i = 0; i < CHAINS; i++) {
            a.dpbusdBroadcast(i, 16, X86Asm.RSI, 4 * i);
        }
        a.dec(X86Asm.RDI);
        a.jnz(loop);
        return a.vzeroupper().ret().bytes();
    }

    private static MethodHandle kernel() {
        if (!VnniGemm.AVAILABLE) {
            return null;
        }
        ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
        return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(CodePage.map(code())), FunctionDescriptor.ofVoid(l, l),
                Linker.Option.critical(false));
    }
}
