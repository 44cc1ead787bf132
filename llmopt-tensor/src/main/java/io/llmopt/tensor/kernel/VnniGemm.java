package io.llmopt.tensor.kernel;

import io.llmopt.tensor.ColumnPanels;
import io.llmopt.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;

/**
 * The Q8_0, Q4_0, Q4_K and Q6_K GEMM (prefill, batched decode) on AVX-512 VNNI: 8-bit weights times 8-bit activations with
 * {@code vpdpbusd}, 64 multiply-adds per instruction, which the Vector API cannot express (its float tile,
 * {@link PanelGemm}, does 16 per fused multiply-add). A machine-code kernel ({@link #code}, assembled by
 * {@link X86Asm} into a {@link CodePage}) runs a register tile of one panel's R = 32 rows by T = 6 tokens over all
 * the columns, called through the FFM linker as a critical function with heap access.
 *
 * <p><b>Arithmetic</b>: the form's (see {@link ColumnPanels}), bit for bit: per block b of 32 columns the exact integer
 * s_b = Σ q_w·q_x (Q4_0: q_w − 8 for q_w), then t = fma(s_b, d_w·d_x, t) over the blocks in order from t = 0. {@code vpdpbusd} multiplies
 * unsigned bytes by signed ones, so the weights are stored as u = q_w + 128 and each token's block starts its sum at
 * −128·Σ q_x: Σ u·q_x − 128·Σ q_x = s_b, exactly (|·| ≤ 32·255·127 &lt; 2³¹); s_b converts to float exactly
 * (|s_b| ≤ 2¹⁹), d_w·d_x is exact (two fp16 values), and the fma rounds once, as in {@link PanelGemv#reference}.
 * Q4_K per 32-column sub-block likewise with d_w = ds = d·sc, then t = fma(8·ds + (−dmin)·m, (Σ q_x)·d_x, t) (a second
 * kernel, {@code code(MIN_TERM)}, with the repacked rows' ds and 8·ds + mn as floats, {@link VnniRepack#q4_K}). Q6_K per
 * 16-column sub-block: s = Σ (q − 32)·q_x from −128·Σ q_x of the half block, then t = fma(s, (d·sc)·d_x, t) ({@code
 * code(HALVES)}, {@link VnniRepack#q6_K}; the activations carry each half's correction).
 *
 * <p><b>Layouts</b> (A: activations, W: a panel's weights repacked per call, once for all its tokens):
 * <ul>
 * <li>W, per block of 32 columns (from Q8_0 panels by {@link VnniRepack#q8_0}, from Q4_0 panels by {@link VnniRepack#q4_0}) ({@link #BLOCK_BYTES}): the panel's 32 fp16 scales d_w, then per group g of 4
 * columns 32 rows × 4 bytes u (row i's four columns 4g … 4g + 3 in one 32-bit lane).</li>
 * <li>A, per tile of 6 tokens and block ({@link #ACT_INTS} ints): −128·Σ q_x of each token, the float bits of each
 * token's d_x and of (Σ q_x)·d_x, then per group g the 6 tokens' 4 bytes q_x of columns 4g … 4g + 3 (broadcast to all 16 lanes by
 * {@code vpdpbusd}'s embedded broadcast).</li>
 * </ul>
 * Registers: zmm0–11 the 12 integer sums (row half r, token j: 6r + j), zmm12–23 the float totals, zmm24–25 the
 * weights of one group, zmm26–27 d_w, zmm28 d_w·d_x. Per block 96 {@code vpdpbusd} for 6144 multiply-adds.
 *
 * <p>Speed (session 23, Zen 4, one core in cache, {@code CpuTimeBench TYPE 2048 2048 512 0 1 3}, packing and
 * repacking included): Q8_0 95 → 301 GFLOP/s, Q4_0 137 → 306, where the float tile's ceiling is 3.6 GHz × 32 = 116.
 * pp512 of TinyLlama at two threads: Q8_0 88 → 248–262 tokens/s, Q4_0 126 → 244–264. Q4_K 102 → 258 GFLOP/s, the
 * Q4_K_M file's pp512 101 → 164–168 with its Q6_K matrices on the float tile; Q6_K 86 → 223 GFLOP/s, and with it the
 * Q4_K_M pp512 101 → 210.
 *
 * <p>{@link #AVAILABLE} needs x86-64 Linux, AVX-512 F, BW and VNNI in /proc/cpuinfo and 512-bit vectors
 * ({@link Simd#L} = 16, so panels hold 32 rows); {@code -Dllmopt.vnni=false} turns it off. Otherwise, or for other
 * types, {@link PanelGemm} runs (logged once).
 */
final class VnniGemm {
    /** Tokens and rows of the register tile. */
    static final int TOKENS = 6, ROWS = 32;
    /** Kernel kinds: fp16 block scales (Q8_0, Q4_0), float ds and min term (Q4_K), two 16-column halves (Q6_K). */
    static final int HALF_SCALES = 0, MIN_TERM = 1, HALVES = 2;

    /** Bytes of a repacked weight block: 32 fp16 scales, then 8 groups of 32 rows × 4 bytes. */
    static final int BLOCK_BYTES = 64 + 8 * 128;
    /** Ints of a tile's activation block: 6 corrections, 6 scales, 8 groups × 6 tokens of 4 bytes. */
    static final int ACT_INTS = 3 * TOKENS + 8 * TOKENS;
    /** Bytes of a repacked Q4_K sub-block: 32 floats d·sc, 32 floats 8·d·sc + (−dmin)·m, then 8 groups as {@link #BLOCK_BYTES}. */
    static final int K_BLOCK_BYTES = 256 + 8 * 128;
    private static final MethodHandle KERNEL = kernel(HALF_SCALES), KERNEL_K = KERNEL == null ? null : kernel(MIN_TERM),
            KERNEL_HALVES = KERNEL == null ? null : kernel(HALVES);
    /** Whether the kernel runs here (see the class comment). */
    static final boolean AVAILABLE = KERNEL != null;

    private VnniGemm() {
    }

    /** Whether {@code f}'s GEMM runs here. */
    static boolean applies(ColumnPanels f) {
        return AVAILABLE && (f.type() == GgmlType.Q8_0 || f.type() == GgmlType.Q4_0 || (f.type() == GgmlType.Q4_K || f.type() == GgmlType.Q6_K) && KERNEL_K != null && KERNEL_HALVES != null);
    }

    private static MethodHandle kernel(int kind) {
        String why = null;
        if (!Boolean.parseBoolean(System.getProperty("llmopt.vnni", "true"))) {
            why = "-Dllmopt.vnni=false";
        } else if (Simd.L != 16) {
            why = "vectors are " + 32 * Simd.L + " bits, the kernel needs 512";
        } else if (!CodePage.supported()) {
            why = "not x86-64 Linux";
        } else if (!hasVnni(cpuFlags())) {
            why = "no avx512f, avx512bw and avx512_vnni in /proc/cpuinfo";
        }
        if (why == null) {
            try {
                ValueLayout.OfLong l = ValueLayout.JAVA_LONG;
                return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(CodePage.map(code(kind))),
                        FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.ADDRESS, l, ValueLayout.ADDRESS, l), Linker.Option.critical(true));
            } catch (RuntimeException e) {
                why = e.toString();
            }
        }
        Logger.getLogger(VnniGemm.class.getName()).fine("Q8_0 and Q4_0 GEMM without VNNI: " + why);
        return null;
    }

    /** The flags line of /proc/cpuinfo's first processor, or "" if unknown. */
    static String cpuFlags() {
        try {
            return cpuFlags(Files.readAllLines(Path.of("/proc/cpuinfo")));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    static String cpuFlags(List<String> cpuinfo) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("flags")) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    /** Whether a cpuinfo flags line names AVX-512 F, BW and VNNI. */
    static boolean hasVnni(String flags) {
        List<String> f = List.of(flags.split("\\s+"));
        return f.contains("avx512f") && f.contains("avx512bw") && f.contains("avx512_vnni");
    }

    /**
     * The kernel, (W, A, A's byte offset, out, blocks): C ABI rdi = W, rsi + rdx = A, rcx = out (6 tokens × 32 floats,
     * token-major), r8 = blocks (≥ 1).
     */
    static byte[] code(int kind) {
        boolean kQuant = kind != HALF_SCALES;
        X86Asm a = new X86Asm();
        int w = X86Asm.RDI, x = X86Asm.RSI, out = X86Asm.RCX, n = X86Asm.R8;
        int q0 = kQuant ? 256 : 64; // the groups' first byte in a repacked block
        a.add(x, X86Asm.RDX);
        for (int i = 0; i < 12; i++) {
            a.zero(12 + i);
        }
        int loop = a.position();
        for (int h = 0; h < (kind == HALVES ? 2 : 1); h++) {
            for (int r = 0; r < 2; r++) {
                for (int j = 0; j < TOKENS; j++) {
                    a.broadcastD(6 * r + j, x, 4 * (h == 0 ? j : 2 * TOKENS + j)); // −128·Σ q_x (of the block, or of its half)
                }
            }
            for (int g = kind == HALVES ? 4 * h : 0; g < (kind == HALVES ? 4 * h + 4 : 8); g++) {
                a.loadPs(24, w, q0 + 128 * g);
                a.loadPs(25, w, q0 + 64 + 128 * g);
                for (int j = 0; j < TOKENS; j++) {
                    int q = 4 * (3 * TOKENS + g * TOKENS + j);
                    a.dpbusdBroadcast(j, 24, x, q);
                    a.dpbusdBroadcast(TOKENS + j, 25, x, q);
                }
            }
            if (kQuant) {
                a.loadPs(26, w, 128 * h); // d·sc (of the block, or of its half)
                a.loadPs(27, w, 128 * h + 64);
                if (kind == MIN_TERM) {
                    a.loadPs(29, w, 128); // 8·d·sc + (−dmin)·m
                    a.loadPs(30, w, 192);
                }
            } else {
                a.cvtPhPs(26, w, 0);
                a.cvtPhPs(27, w, 32);
            }
            for (int r = 0; r < 2; r++) {
                for (int j = 0; j < TOKENS; j++) {
                    int i = 6 * r + j;
                    a.cvtDqPs(i, i);
                    a.mulPsBroadcast(28, 26 + r, x, 4 * (TOKENS + j)); // d_w·d_x
                    a.fmadd231Ps(12 + i, i, 28);
                    if (kind == MIN_TERM) {
                        a.fmadd231PsBroadcast(12 + i, 29 + r, x, 4 * (2 * TOKENS + j)); // + (8·ds + mn)·(Σ q_x)·d_x
                    }
                }
            }
        }
        a.addImm(w, kQuant ? K_BLOCK_BYTES : BLOCK_BYTES);
        a.addImm(x, 4 * ACT_INTS);
        a.dec(n);
        a.jnz(loop);
        for (int j = 0; j < TOKENS; j++) {
            for (int r = 0; r < 2; r++) {
                a.storePs(out, 4 * (ROWS * j + 16 * r), 12 + 6 * r + j);
            }
        }
        return a.vzeroupper().ret().bytes();
    }

    /** Ints of the packed activations of a batch: {@link #ACT_INTS} per block and tile. */
    static int actInts(int batch, int cols) {
        return (batch + TOKENS - 1) / TOKENS * (cols >>> 5) * ACT_INTS;
    }

    /**
     * Packs tile k (tokens 6k … 6k + 5, zeros past the batch) of x (batch rows of cols floats at xo) into act,
     * quantized by {@link Q8Activations#quantizeRow}; {@code row} holds cols floats and {@code d} cols / 32 of scratch.
     */
    static void packTile(float[] x, int xo, int batch, int cols, int k, int[] act, float[] row, float[] d, boolean halves) {
        int nb = cols >>> 5;
        int base = k * nb * ACT_INTS;
        for (int j = 0; j < TOKENS; j++) {
            int t = k * TOKENS + j;
            if (t >= batch) {
                for (int b = 0; b < nb; b++) {
                    int o = base + b * ACT_INTS;
                    act[o + j] = 0;
                    act[o + TOKENS + j] = 0;
                    act[o + 2 * TOKENS + j] = 0;
                    for (int g = 0; g < 8; g++) {
                        act[o + 3 * TOKENS + g * TOKENS + j] = 0;
                    }
                }
                continue;
            }
            Q8Activations.quantizeRow(x, xo + t * cols, cols, row, 0, d, 0);
            for (int b = 0; b < nb; b++) {
                int o = base + b * ACT_INTS;
                int sum = 0, low = 0;
                for (int g = 0; g < 8; g++) {
                    int c = 32 * b + 4 * g;
                    int q0 = (int) row[c], q1 = (int) row[c + 1], q2 = (int) row[c + 2], q3 = (int) row[c + 3];
                    sum += q0 + q1 + q2 + q3;
                    low = g == 3 ? sum : low;
                    act[o + 3 * TOKENS + g * TOKENS + j] = q0 & 255 | (q1 & 255) << 8 | (q2 & 255) << 16 | q3 << 24;
                }
                act[o + j] = -128 * (halves ? low : sum);
                act[o + TOKENS + j] = Float.floatToRawIntBits(d[b]);
                // Q6_K: the second half's correction; else Q8Activations.blockSums (an exact sum, rounded once)
                act[o + 2 * TOKENS + j] = halves ? -128 * (sum - low) : Float.floatToRawIntBits(sum * d[b]);
            }
        }
    }

    /** Bytes of a worker's repacked panel for {@code cols} columns (enough for every type). */
    static long panelBytes(int cols) {
        return (long) (cols >>> 5) * K_BLOCK_BYTES;
    }

    /**
     * out[oo + t·rows + p·32 + i] for the rows of panel p and the batch's tokens t, from activations packed by {@link #packTile}
     * (as, the segment of that int[]): the panel repacked into w ({@link #panelBytes}, native, 64-byte aligned), then the
     * kernel per tile of 6 tokens into {@code tile} (6 × 32 floats; ts its segment).
     */
    static void panel(ColumnPanels f, int p, MemorySegment as, int batch, float[] out, int oo, int rows, MemorySegment w, float[] tile, MemorySegment ts) {
        int nb = f.cols() >>> 5;
        switch (f.type()) {
            case Q4_0 -> VnniRepack.q4_0(f.data(), f.panelOffset(p), f.blockBytes(), nb, w);
            case Q4_K -> VnniRepack.q4_K(f.data(), f.panelOffset(p), f.blockBytes(), f.cols(), w);
            case Q6_K -> VnniRepack.q6_K(f.data(), f.panelOffset(p), f.blockBytes(), f.cols(), w);
            default -> VnniRepack.q8_0(f.data(), f.panelOffset(p), f.blockBytes(), nb, w);
        }
        int n = Math.min(ROWS, rows - p * ROWS);
        for (int k = 0; k * TOKENS < batch; k++) {
            try {
                if (f.type() == GgmlType.Q4_K) { // a constant handle per call site
                    KERNEL_K.invokeExact(w, as, 4L * k * nb * ACT_INTS, ts, (long) nb);
                } else if (f.type() == GgmlType.Q6_K) {
                    KERNEL_HALVES.invokeExact(w, as, 4L * k * nb * ACT_INTS, ts, (long) nb);
                } else {
                    KERNEL.invokeExact(w, as, 4L * k * nb * ACT_INTS, ts, (long) nb);
                }
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
            for (int j = 0; j < TOKENS && k * TOKENS + j < batch; j++) {
                System.arraycopy(tile, j * ROWS, out, oo + (k * TOKENS + j) * rows + p * ROWS, n);
            }
        }
    }
}
