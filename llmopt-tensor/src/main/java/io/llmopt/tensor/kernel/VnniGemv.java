package io.llmopt.tensor.kernel;

import io.llmopt.tensor.ColumnPanels;
import io.llmopt.tensor.GgmlType;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.logging.Logger;

/**
 * The Q4_0 GEMV (decode) on AVX-512 VNNI: a machine-code kernel ({@link #code}) over a work unit of four panels
 * (128 rows), reading the {@link ColumnPanels} form in place. Per group of 4 columns and 16 rows, it widens the
 * 16 words (one per row, four nibbles e = q xor 8 each) to dwords ({@code vpmovzxwd}), moves nibble n to byte n
 * ({@code vpmultishiftqb}, control bytes 0, 4, 8, 12 in each dword), keeps the low nibble and flips bit 3 in one
 * {@code vpternlogd} (q = e xor 8, 0 … 15) and multiplies with the broadcast 8-bit activations ({@code vpdpbusd}):
 * four instructions for 64 multiply-adds, where the Vector API kernel ({@link PanelGemv}) needs about four per 32.
 *
 * <p><b>Arithmetic</b>: the form's, bit for bit: per block the exact s_b = Σ q·q_x − 8·Σ q_x = Σ (q − 8)·q_x (the
 * integer sum starts at −8·Σ q_x, packed with the activations), then t = fma(s_b, d_w·d_x, t) over the blocks in order
 * from t = 0, as {@link PanelGemv#reference}.
 *
 * <p><b>Q4_K</b> ({@link #codeQ4_K}) likewise per 32-column sub-block, then, with ds = d·sc and mn = (−dmin)·m of
 * the sub-block widened from the panel's bytes, t = fma(s_b, ds·d_x, t) and t = fma(8·ds + mn, (Σ q_x)·d_x, t) (8·ds + mn
 * in one fma: 8·ds is exact), the arithmetic of {@link PanelKQuants#q4_Kx4}. Its 8 sub-blocks are unrolled per
 * super-block (the scale rows sit at offsets that depend on the sub-block). It prefetches as {@link PanelKQuants#q4_Kx4} does
 * ({@link Prefetch#level}: on Zen 4 into L2), with prefetch instructions in the code.
 *
 * <p><b>Activations</b> ({@link #pack}, once per call, {@link #bytes} bytes): a 16-int header (the block count, the
 * multishift control, the masks 0x0F and 0x08 per byte, 8f, the super-block count), then per block 11 ints: −8·Σ q_x, the float bits of d_x and
 * of (Σ q_x)·d_x ({@link Q8Activations#blockSums}), the 8 groups' 4 bytes q_x.
 *
 * <p>Runs where {@link VnniGemm#AVAILABLE} (the same hardware and flags).
 */
final class VnniGemv {
    /** Ints of the activations' header and of each block. */
    static final int HEADER = 16, BLOCK_INTS = 11;
    /** vpternlogd's table for (a &amp; b) ^ c. */
    static final int AND_XOR = 0x6A;
    private static final MethodHandle KERNEL = kernel(code()), KERNEL_Q4_K = kernel(codeQ4_K(Prefetch.level(GgmlType.Q4_K)));

    private VnniGemv() {
    }

    /** Whether the GEMV of {@code f} runs here. */
    static boolean applies(ColumnPanels f) {
        return KERNEL != null && (f.type() == GgmlType.Q4_0 || f.type() == GgmlType.Q4_K) && PanelGemv.unitPanels(f) == 4 && f.data().isNative();
    }

    private static MethodHandle kernel(byte[] code) {
        if (!VnniGemm.AVAILABLE) {
            return null;
        }
        try {
            ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
            return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(CodePage.map(code)),
                    FunctionDescriptor.ofVoid(l, l, l, l, l, l), Linker.Option.critical(false));
        } catch (RuntimeException e) {
            Logger.getLogger(VnniGemv.class.getName()).info("Q4_0 GEMV without VNNI: " + e);
            return null;
        }
    }

    /**
     * The kernel, (p0, p1, p2, p3, A, out): C ABI rdi, rsi, rdx, rcx = the four panels' first blocks, r8 = A
     * ({@link #pack}), r9 = out (4 panels × 32 floats).
     */
    static byte[] code() {
        X86Asm a = new X86Asm();
        int[] p = {X86Asm.RDI, X86Asm.RSI, X86Asm.RDX, X86Asm.RCX};
        int x = X86Asm.R8, n = X86Asm.RAX;
        a.loadInt(n, x, 0);
        a.broadcastQ(31, x, 4); // multishift control
        a.broadcastD(29, x, 12); // 0x0F per byte
        a.broadcastD(30, x, 16); // 0x08 per byte
        a.addImm(x, 4 * HEADER);
        for (int i = 0; i < 8; i++) {
            a.zero(8 + i);
        }
        int loop = a.position();
        for (int i = 0; i < 8; i++) {
            a.broadcastD(i, x, 0); // −8·Σ q_x
        }
        for (int g = 0; g < 8; g++) {
            for (int k = 0; k < 4; k++) {
                for (int h = 0; h < 2; h++) {
                    int t = 16 + 2 * k + h;
                    a.zeroExtendWords(t, p[k], 64 + 64 * g + 32 * h);
                    a.multishiftQb(t, 31, t);
                    a.ternlogD(t, 29, 30, AND_XOR);
                    a.dpbusdBroadcast(2 * k + h, t, x, 12 + 4 * g);
                }
            }
        }
        for (int k = 0; k < 4; k++) {
            a.cvtPhPs(24, p[k], 0);
            a.cvtPhPs(25, p[k], 32);
            for (int h = 0; h < 2; h++) {
                int i = 2 * k + h;
                a.cvtDqPs(i, i);
                a.mulPsBroadcast(26, 24 + h, x, 4); // d_w·d_x
                a.fmadd231Ps(8 + i, i, 26);
            }
        }
        return epilogue(a, p, 18 * 32, 4 * BLOCK_INTS, loop);
    }

    /**
     * The loop's end and the return: the four panel pointers advance by {@code panelStep} bytes and the activations by
     * {@code actStep}, the count in rax runs down to the loop at {@code loop}; then the 8 totals zmm8–15 go to out (r9).
     */
    private static byte[] epilogue(X86Asm a, int[] p, int panelStep, int actStep, int loop) {
        for (int k = 0; k < 4; k++) {
            a.addImm(p[k], panelStep);
        }
        a.addImm(X86Asm.R8, actStep);
        a.dec(X86Asm.RAX);
        a.jnz(loop);
        for (int i = 0; i < 8; i++) {
            a.storePs(X86Asm.R9, 64 * i, 8 + i);
        }
        return a.vzeroupper().ret().bytes();
    }

    /**
     * The Q4_K kernel, (p0, p1, p2, p3, A, out) as {@link #code}, over the header's count of super-blocks (cols / 256).
     */
    static byte[] codeQ4_K(int prefetch) {
        X86Asm a = new X86Asm();
        int[] p = {X86Asm.RDI, X86Asm.RSI, X86Asm.RDX, X86Asm.RCX};
        int x = X86Asm.R8, n = X86Asm.RAX, rows = 32, blk = 4 * BLOCK_INTS;
        a.loadInt(n, x, 24);
        a.broadcastQ(31, x, 4);
        a.broadcastD(29, x, 12);
        a.broadcastD(30, x, 16);
        a.broadcastD(28, x, 20); // 8f
        a.addImm(x, 4 * HEADER);
        for (int i = 0; i < 8; i++) {
            a.zero(8 + i);
        }
        int loop = a.position();
        for (int s = 0; s < 8; s++) {
            for (int i = 0; i < 8; i++) {
                a.broadcastD(i, x, blk * s); // −8·Σ q_x
            }
            if (prefetch != Prefetch.NONE) { // as PanelKQuants.q4_Kx4: an eighth of each panel's super-block, Prefetch.BYTES ahead
                for (int k = 0; k < 4; k++) {
                    for (int line = 0; line < 19 * rows; line += 64) {
                        a.prefetch(prefetch, p[k], (int) Prefetch.BYTES + 19 * rows * s + line);
                    }
                }
            }
            for (int g = 0; g < 8; g++) {
                for (int k = 0; k < 4; k++) {
                    for (int h = 0; h < 2; h++) {
                        int t = 16 + 2 * k + h;
                        a.zeroExtendWords(t, p[k], 24 * rows + 2 * rows * (8 * s + g) + 32 * h);
                        a.multishiftQb(t, 31, t);
                        a.ternlogD(t, 29, 30, AND_XOR);
                        a.dpbusdBroadcast(2 * k + h, t, x, blk * s + 12 + 4 * g);
                    }
                }
            }
            for (int k = 0; k < 4; k++) {
                for (int h = 0; h < 2; h++) {
                    int i = 2 * k + h;
                    a.zeroExtendBytes(24, p[k], 8 * rows + rows * s + 16 * h);
                    a.cvtDqPs(24, 24);
                    a.mulPs(24, 24, p[k], 64 * h); // ds = d·sc
                    a.zeroExtendBytes(25, p[k], 16 * rows + rows * s + 16 * h);
                    a.cvtDqPs(25, 25);
                    a.mulPs(25, 25, p[k], 4 * rows + 64 * h); // mn = (−dmin)·m
                    a.cvtDqPs(i, i);
                    a.mulPsBroadcast(26, 24, x, blk * s + 4); // ds·d_x
                    a.fmadd231Ps(8 + i, i, 26);
                    a.fmadd213Ps(24, 28, 25); // 8·ds + mn
                    a.fmadd231PsBroadcast(8 + i, 24, x, blk * s + 8); // + (8·ds + mn)·(Σ q_x)·d_x
                }
            }
        }
        return epilogue(a, p, 152 * rows, 8 * blk, loop);
    }

    /** Bytes of the packed activations for {@code cols} columns. */
    static long bytes(int cols) {
        return 4L * (HEADER + (cols >>> 5) * BLOCK_INTS);
    }

    /**
     * Packs activations quantized by {@link Q8Activations#quantizeRow} (q as floats, cols of them, and the block scales d)
     * into act, native memory of at least {@link #bytes} bytes.
     */
    static void pack(float[] q, float[] d, float[] sums, int cols, MemorySegment act) {
        int nb = cols >>> 5;
        act.set(ValueLayout.JAVA_INT, 0, nb);
        act.set(ValueLayout.JAVA_INT, 4, 0x0C080400); // multishift control: bits 0, 4, 8, 12 of each dword's low half …
        act.set(ValueLayout.JAVA_INT, 8, 0x2C282420); // … and of the qword's high dword
        act.set(ValueLayout.JAVA_INT, 12, 0x0F0F0F0F);
        act.set(ValueLayout.JAVA_INT, 16, 0x08080808);
        act.set(ValueLayout.JAVA_FLOAT, 20, 8f);
        act.set(ValueLayout.JAVA_INT, 24, nb / 8); // Q4_K: super-blocks
        for (int b = 0; b < nb; b++) {
            long o = 4L * (HEADER + b * BLOCK_INTS);
            int sum = 0;
            for (int g = 0; g < 8; g++) {
                int c = 32 * b + 4 * g;
                int q0 = (int) q[c], q1 = (int) q[c + 1], q2 = (int) q[c + 2], q3 = (int) q[c + 3];
                sum += q0 + q1 + q2 + q3;
                act.set(ValueLayout.JAVA_INT, o + 12 + 4 * g, q0 & 255 | (q1 & 255) << 8 | (q2 & 255) << 16 | q3 << 24);
            }
            act.set(ValueLayout.JAVA_INT, o, -8 * sum);
            act.set(ValueLayout.JAVA_INT, o + 4, Float.floatToRawIntBits(d[b]));
            act.set(ValueLayout.JAVA_INT, o + 8, Float.floatToRawIntBits(sums[b]));
        }
    }

    /** Each thread's output tile (native: the downcall then takes plain addresses, and a call allocates nothing). */
    private static final ThreadLocal<MemorySegment> TILE = ThreadLocal.withInitial(() -> java.lang.foreign.Arena.ofAuto().allocate(4 * 128, 64));

    /**
     * Work unit u of {@code f} (four panels, the last ones repeated past the end as {@link PanelGemv#unit} does) into
     * res[0, 128), from activations packed by {@link #pack}.
     */
    static void unit(ColumnPanels f, int u, MemorySegment act, float[] res) {
        int p = 4 * u, last = f.panels() - 1;
        long base = f.data().address();
        MemorySegment tile = TILE.get();
        long p0 = base + f.panelOffset(p), p1 = base + f.panelOffset(Math.min(p + 1, last));
        long p2 = base + f.panelOffset(Math.min(p + 2, last)), p3 = base + f.panelOffset(Math.min(p + 3, last));
        try {
            if (f.type() == GgmlType.Q4_K) { // a constant handle per call site, so C2 inlines each downcall
                KERNEL_Q4_K.invokeExact(p0, p1, p2, p3, act.address(), tile.address());
            } else {
                KERNEL.invokeExact(p0, p1, p2, p3, act.address(), tile.address());
            }
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        MemorySegment.copy(tile, ValueLayout.JAVA_FLOAT, 0, res, 0, 128);
    }
}
