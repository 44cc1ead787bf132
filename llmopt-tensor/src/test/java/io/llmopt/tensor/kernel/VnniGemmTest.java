package io.llmopt.tensor.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.llmopt.tensor.ColumnPanels;
import io.llmopt.tensor.GgmlType;
import io.llmopt.tensor.Layouts;
import io.llmopt.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The VNNI Q8_0 and Q4_0 GEMM ({@link VnniGemm}), the Q4_0 and Q4_K GEMV ({@link VnniGemv}, batch 1) and their assembler: the encoder's bytes are the ones objdump decodes as the
 * intended instructions (checked once with {@code objdump -D -b binary -mi386:x86-64 -M intel}, listed beside them);
 * where the kernel can run (it must on a host with AVX-512 VNNI at 512 bits) its products have the bits of the scalar
 * twin {@link PanelGemv#reference} at the extremes of the arithmetic (q_w = −128 and 127, Q4_0's q_w − 8 = −8 and 7, q_x = ±127, NaN and zero
 * activations, a last panel of 1 row, batches that leave a partial tile). {@link ColumnPanelsTest} covers random
 * weights of awkward shapes through the same path.
 */
class VnniGemmTest {
    @Test
    void assemblerGivesTheBytesObjdumpDecodes() {
        X86Asm x = new X86Asm();
        x.add(X86Asm.RSI, X86Asm.RDX) // add rsi,rdx
                .add(X86Asm.R9, X86Asm.RAX) // add r9,rax
                .addImm(X86Asm.RDI, 1088) // add rdi,0x440
                .addImm(X86Asm.R8, -64) // add r8,0xffffffffffffffc0
                .dec(X86Asm.R8) // dec r8
                .dec(X86Asm.RCX) // dec rcx
                .loadPs(24, X86Asm.RDI, 64) // vmovups zmm24,ZMMWORD PTR [rdi+0x40]
                .loadPs(3, X86Asm.R9, -128) // vmovups zmm3,ZMMWORD PTR [r9-0x80]
                .storePs(X86Asm.RCX, 192, 31) // vmovups ZMMWORD PTR [rcx+0xc0],zmm31
                .broadcastD(17, X86Asm.RSI, 4) // vpbroadcastd zmm17,DWORD PTR [rsi+0x4]
                .dpbusdBroadcast(0, 24, X86Asm.RSI, 48) // vpdpbusd zmm0,zmm24,DWORD BCST [rsi+0x30]
                .dpbusdBroadcast(11, 25, X86Asm.R8, 0x236) // vpdpbusd zmm11,zmm25,DWORD BCST [r8+0x236]
                .cvtPhPs(26, X86Asm.RDI, 32) // vcvtph2ps zmm26,YMMWORD PTR [rdi+0x20]
                .cvtDqPs(9, 9) // vcvtdq2ps zmm9,zmm9
                .cvtDqPs(20, 3) // vcvtdq2ps zmm20,zmm3
                .mulPsBroadcast(28, 27, X86Asm.RSI, 24) // vmulps zmm28,zmm27,DWORD BCST [rsi+0x18]
                .fmadd231Ps(23, 11, 28) // vfmadd231ps zmm23,zmm11,zmm28
                .fmadd231Ps(4, 30, 5) // vfmadd231ps zmm4,zmm30,zmm5
                .zero(16) // vpxord zmm16,zmm16,zmm16
                .zero(7); // vpxord zmm7,zmm7,zmm7
        int here = x.position();
        x.jnz(here).vzeroupper().ret(); // jne (itself); vzeroupper; ret
        int[] want = {0x48, 0x01, 0xD6, 0x49, 0x01, 0xC1, 0x48, 0x81, 0xC7, 0x40, 0x04, 0x00, 0x00, 0x49, 0x81, 0xC0, 0xC0, 0xFF, 0xFF, 0xFF,
            0x49, 0xFF, 0xC8, 0x48, 0xFF, 0xC9, 0x62, 0x61, 0x7C, 0x48, 0x10, 0x87, 0x40, 0x00, 0x00, 0x00, 0x62, 0xD1, 0x7C, 0x48, 0x10, 0x99,
            0x80, 0xFF, 0xFF, 0xFF, 0x62, 0x61, 0x7C, 0x48, 0x11, 0xB9, 0xC0, 0x00, 0x00, 0x00, 0x62, 0xE2, 0x7D, 0x48, 0x58, 0x8E, 0x04, 0x00,
            0x00, 0x00, 0x62, 0xF2, 0x3D, 0x50, 0x50, 0x86, 0x30, 0x00, 0x00, 0x00, 0x62, 0x52, 0x35, 0x50, 0x50, 0x98, 0x36, 0x02, 0x00, 0x00,
            0x62, 0x62, 0x7D, 0x48, 0x13, 0x97, 0x20, 0x00, 0x00, 0x00, 0x62, 0x51, 0x7C, 0x48, 0x5B, 0xC9, 0x62, 0xE1, 0x7C, 0x48, 0x5B, 0xE3,
            0x62, 0x61, 0x24, 0x50, 0x59, 0xA6, 0x18, 0x00, 0x00, 0x00, 0x62, 0x82, 0x25, 0x48, 0xB8, 0xFC, 0x62, 0xF2, 0x0D, 0x40, 0xB8, 0xE5,
            0x62, 0xA1, 0x7D, 0x40, 0xEF, 0xC0, 0x62, 0xF1, 0x45, 0x48, 0xEF, 0xFF, 0x0F, 0x85, 0xFA, 0xFF, 0xFF, 0xFF, 0xC5, 0xF8, 0x77, 0xC3};
        assertBytes(x, want);
        assertThatThrownBy(() -> new X86Asm().loadPs(0, 4, 0)).as("rsp as a base").isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new X86Asm().cvtDqPs(32, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void assemblerGivesTheGemvInstructionsObjdumpDecodes() {
        X86Asm x = new X86Asm();
        x.broadcastQ(31, X86Asm.R8, 4) // vpbroadcastq zmm31,QWORD PTR [r8+0x4]
                .zeroExtendWords(16, X86Asm.RDI, 96) // vpmovzxwd zmm16,YMMWORD PTR [rdi+0x60]
                .zeroExtendWords(3, X86Asm.R9, 32) // vpmovzxwd zmm3,YMMWORD PTR [r9+0x20]
                .multishiftQb(16, 31, 16) // vpmultishiftqb zmm16,zmm31,zmm16
                .multishiftQb(2, 5, 20) // vpmultishiftqb zmm2,zmm5,zmm20
                .ternlogD(16, 29, 30, 0x6A) // vpternlogd zmm16,zmm29,zmm30,0x6a
                .ternlogD(1, 2, 3, 0x96) // vpternlogd zmm1,zmm2,zmm3,0x96
                .loadInt(X86Asm.RAX, X86Asm.R8, 0) // mov eax,DWORD PTR [r8+0x0]
                .loadInt(X86Asm.R9, X86Asm.RSI, 8); // mov r9d,DWORD PTR [rsi+0x8]
        int[] want = {0x62, 0x42, 0xFD, 0x48, 0x59, 0xB8, 0x04, 0x00, 0x00, 0x00, 0x62, 0xE2, 0x7D, 0x48, 0x33, 0x87, 0x60, 0x00, 0x00, 0x00,
            0x62, 0xD2, 0x7D, 0x48, 0x33, 0x99, 0x20, 0x00, 0x00, 0x00, 0x62, 0xA2, 0x85, 0x40, 0x83, 0xC0, 0x62, 0xB2, 0xD5, 0x48, 0x83, 0xD4,
            0x62, 0x83, 0x15, 0x40, 0x25, 0xC6, 0x6A, 0x62, 0xF3, 0x6D, 0x48, 0x25, 0xCB, 0x96, 0x41, 0x8B, 0x80, 0x00, 0x00, 0x00, 0x00, 0x44,
            0x8B, 0x8E, 0x08, 0x00, 0x00, 0x00};
        assertBytes(x, want);
        X86Asm k = new X86Asm();
        k.prefetch(1, X86Asm.RDI, 2304) // prefetcht0 BYTE PTR [rdi+0x900]
                .prefetch(2, X86Asm.RCX, 64) // prefetcht2 BYTE PTR [rcx+0x40]
                .prefetch(2, X86Asm.R8, 0) // prefetcht2 BYTE PTR [r8+0x0]
                .zeroExtendBytes(24, X86Asm.RSI, 272) // vpmovzxbd zmm24,XMMWORD PTR [rsi+0x110]
                .mulPs(25, 25, X86Asm.RDX, 192) // vmulps zmm25,zmm25,ZMMWORD PTR [rdx+0xc0]
                .fmadd213Ps(24, 28, 25) // vfmadd213ps zmm24,zmm28,zmm25
                .fmadd231PsBroadcast(9, 24, X86Asm.R8, 52); // vfmadd231ps zmm9,zmm24,DWORD BCST [r8+0x34]
        int[] wantK = {0x0F, 0x18, 0x8F, 0x00, 0x09, 0x00, 0x00, 0x0F, 0x18, 0x99, 0x40, 0x00, 0x00, 0x00, 0x41, 0x0F, 0x18, 0x98, 0x00, 0x00,
            0x00, 0x00, 0x62, 0x62, 0x7D, 0x48, 0x31, 0x86, 0x10, 0x01, 0x00, 0x00, 0x62, 0x61, 0x34, 0x40, 0x59, 0x8A, 0xC0, 0x00, 0x00, 0x00,
            0x62, 0x02, 0x1D, 0x40, 0xA8, 0xC1, 0x62, 0x52, 0x3D, 0x50, 0xB8, 0x88, 0x34, 0x00, 0x00, 0x00};
        assertBytes(k, wantK);
        // vpternlogd's table for (a & b) ^ c, bit a·4 + b·2 + c
        int table = 0;
        for (int i = 0; i < 8; i++) {
            table |= ((i >> 2 & i >> 1 & 1) ^ (i & 1)) << i;
        }
        assertThat(VnniGemv.AND_XOR).isEqualTo(table);
    }

    @Test
    void gemvAllocatesNothingOnceWarm() {
        if (!VnniGemm.AVAILABLE) {
            System.out.println("VnniGemmTest: skipped allocation: no VNNI kernel at " + 32 * Simd.L + " bits");
            return;
        }
        VectorKernels vector = new VectorKernels();
        WorkerPool pool = new WorkerPool(1);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q4_K}) {
                Tensor p = vector.prepare(RandomWeights.matrix(arena, new Random(3), type, 256, 512, 0));
                assertThat(VnniGemv.applies((ColumnPanels) p.packed())).isTrue();
                float[] x = RandomWeights.gaussian(new Random(4), 512);
                float[] out = new float[256];
                var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
                for (int i = 0; i < 30_000; i++) {
                    vector.matmul(p, x, 0, 1, out, 0, pool);
                }
                // rounds until one allocates nothing: C2 may still be compiling the path (a loaded machine), but a call that
                // allocates by construction allocates in every round
                java.util.List<Long> rounds = new java.util.ArrayList<>();
                for (int round = 0; round < 50 && (rounds.isEmpty() || rounds.getLast() != 0); round++) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    for (int i = 0; i < 1000; i++) {
                        vector.matmul(p, x, 0, 1, out, 0, pool);
                    }
                    rounds.add(threads.getCurrentThreadAllocatedBytes() - before);
                }
                assertThat(rounds.getLast()).as(type + ": bytes allocated by rounds of 1000 GEMVs " + rounds).isZero();
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void int8CeilingRunsWhereTheKernelsDo() {
        assertThat(Int8Ceiling.available()).isEqualTo(VnniGemm.AVAILABLE);
        if (Int8Ceiling.available()) {
            Int8Ceiling.run(1000);
        } else {
            assertThatThrownBy(() -> Int8Ceiling.run(1000)).isInstanceOf(IllegalStateException.class);
        }
    }

    /** The assembled bytes are the listed ones, in order. */
    private static void assertBytes(X86Asm code, int[] want) {
        byte[] got = code.bytes();
        assertThat(got).hasSize(want.length);
        for (int i = 0; i < want.length; i++) {
            assertThat(got[i] & 0xFF).as("byte " + i).isEqualTo(want[i]);
        }
    }

    @Test
    void readsTheCpuFlags() {
        List<String> cpuinfo = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "flags\t\t: fpu sse2 avx2 avx512f avx512bw avx512_vnni avx512vl", "",
                "processor\t: 1");
        assertThat(VnniGemm.cpuFlags(cpuinfo)).startsWith("fpu sse2");
        assertThat(VnniGemm.hasVnni(VnniGemm.cpuFlags(cpuinfo))).isTrue();
        assertThat(VnniGemm.hasVnni("fpu avx512f avx512bw avx_vnni")).as("AVX-VNNI (256-bit) is not enough").isFalse();
        assertThat(VnniGemm.hasVnni("avx512f avx512_vnni")).isFalse();
        assertThat(VnniGemm.hasVnni("")).isFalse();
    }

    @Test
    void runsWhereverTheHardwareHasIt() {
        boolean should = Simd.L == 16 && CodePage.supported() && VnniGemm.hasVnni(VnniGemm.cpuFlags())
                && Boolean.parseBoolean(System.getProperty("llmopt.vnni", "true"));
        System.out.println("VnniGemmTest: " + 32 * Simd.L + "-bit vectors, VNNI Q8_0 GEMM " + (VnniGemm.AVAILABLE ? "runs" : "not here"));
        assertThat(VnniGemm.AVAILABLE).isEqualTo(should);
    }

    @Test
    void extremesGiveTheScalarTwinsBits() {
        if (!VnniGemm.AVAILABLE) {
            System.out.println("VnniGemmTest: skipped extremes: no VNNI kernel at " + 32 * Simd.L + " bits");
            return;
        }
        VectorKernels vector = new VectorKernels();
        Random r = new Random(23);
        WorkerPool pool = new WorkerPool(2);
        try (Arena arena = Arena.ofShared()) {
            for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0}) {
                for (int rows : new int[] {33, 64, 1}) {
                    int cols = 96;
                    Tensor t = RandomWeights.matrix(arena, r, type, rows, cols, 0);
                    MemorySegment d = t.data();
                    int bytes = type.blockBytes();
                    for (int row = 0; row < rows; row++) {
                        for (int b = 0; b < cols / 32; b++) {
                            long o = ((long) row * (cols / 32) + b) * bytes;
                            int kind = (row + b) % 4;
                            if (kind == 0) {
                                d.set(Layouts.SHORT, o, Float.floatToFloat16(-0.75f));
                            }
                            for (int c = 0; c < bytes - 2; c++) { // Q8_0: q_w = −128, 127, both; Q4_0: q_w − 8 = −8, 7, both
                                int q8 = kind == 0 ? -128 : kind == 1 ? 127 : c % 2 == 0 ? -128 : 127;
                                int q4 = kind == 0 ? 0x00 : kind == 1 ? 0xFF : c % 2 == 0 ? 0x0F : 0xF0;
                                if (kind < 3) {
                                    d.set(Layouts.BYTE, o + 2 + c, (byte) (type == GgmlType.Q8_0 ? q8 : q4));
                                }
                            }
                        }
                    }
                    Tensor p = vector.prepare(new Tensor(t.name(), t.type(), t.shape(), t.data().asReadOnly()));
                    ColumnPanels f = (ColumnPanels) p.packed();
                    assertThat(VnniGemm.applies(f)).isTrue();
                    for (int batch : new int[] {1, 2, 6, 7, 13}) {
                        float[] x = new float[batch * cols];
                        for (int tok = 0; tok < batch; tok++) {
                            for (int c = 0; c < cols; c++) {
                                int o = tok * cols + c;
                                x[o] = switch (tok % 4) {
                                    case 0 -> c % 32 == 5 ? 3f : -3f; // every q_x = ±127 (|x| = max)
                                    case 1 -> (float) r.nextGaussian();
                                    case 2 -> c == 40 ? Float.NaN : (float) r.nextGaussian(); // one NaN block
                                    default -> c < 32 ? 0f : -1e-3f * (c % 7); // a zero block
                                };
                            }
                        }
                        float[] out = new float[batch * rows];
                        vector.matmul(p, x, 0, batch, out, 0, pool);
                        float[] w = new float[cols];
                        for (int tok = 0; tok < batch; tok++) {
                            for (int row = 0; row < rows; row++) {
                                float ref = PanelGemv.reference(f, row, x, tok * cols, w);
                                BatchInvarianceTest.assertBits(new float[] {out[tok * rows + row]}, new float[] {ref},
                                        type + " " + rows + " rows, batch " + batch + " token " + tok + " row " + row);
                            }
                        }
                    }
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}
