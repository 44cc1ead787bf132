package io.llmopt.tensor.kernel;

import java.io.ByteArrayOutputStream;

/**
 * A small x86-64 assembler for the machine-code kernels ({@link VnniGemm}, {@link VnniGemv}): the few AVX-512 instructions they use,
 * on zmm registers 0–31 and memory operands [base + disp32], and the general-purpose instructions of their loops.
 * Every memory operand is encoded with a 32-bit displacement (ModRM mod = 10), which EVEX never scales, so an
 * instruction's bytes do not depend on its operand size; base registers rsp and r12 (which would need a SIB byte)
 * are refused. Tests check the bytes against objdump's decoding.
 *
 * <p>Notation: {@code dst}, {@code src} are zmm numbers, {@code base} a general register number (rax = 0 … r15 = 15).
 */
final class X86Asm {
    static final int RAX = 0, RCX = 1, RDX = 2, RBX = 3, RSI = 6, RDI = 7, R8 = 8, R9 = 9;
    /** EVEX opcode maps and prefixes. */
    private static final int MAP_0F = 1, MAP_0F38 = 2, MAP_0F3A = 3, PP_NONE = 0, PP_66 = 1;

    private final ByteArrayOutputStream code = new ByteArrayOutputStream();

    /** The bytes assembled so far. */
    byte[] bytes() {
        return code.toByteArray();
    }

    /** The offset of the next instruction. */
    int position() {
        return code.size();
    }

    /** vmovups zmm_dst, [base + disp]. */
    X86Asm loadPs(int dst, int base, int disp) {
        return evexMem(MAP_0F, PP_NONE, 0x10, dst, 0, base, disp, false);
    }

    /** vmovups [base + disp], zmm_src. */
    X86Asm storePs(int base, int disp, int src) {
        return evexMem(MAP_0F, PP_NONE, 0x11, src, 0, base, disp, false);
    }

    /** vpbroadcastd zmm_dst, dword [base + disp]. */
    X86Asm broadcastD(int dst, int base, int disp) {
        return evexMem(MAP_0F38, PP_66, 0x58, dst, 0, base, disp, false);
    }

    /** vpbroadcastq zmm_dst, qword [base + disp]. */
    X86Asm broadcastQ(int dst, int base, int disp) {
        return evexMem(MAP_0F38, PP_66, 0x59, dst, 0, base, disp, false, true);
    }

    /** vpmovzxwd zmm_dst, [base + disp]: 16 words zero-extended to 16 dwords. */
    X86Asm zeroExtendWords(int dst, int base, int disp) {
        return evexMem(MAP_0F38, PP_66, 0x33, dst, 0, base, disp, false);
    }

    /** vpmultishiftqb zmm_dst, zmm_control, zmm_src: byte j of each qword = 8 bits of src's qword from bit control.byte[j] (rotating). */
    X86Asm multishiftQb(int dst, int control, int src) {
        return evexReg(MAP_0F38, PP_66, 0x83, dst, control, src, true);
    }

    /** vpternlogd zmm_dst, zmm_b, zmm_c, imm: each bit of dst = imm's bit (dst·4 + b·2 + c). */
    X86Asm ternlogD(int dst, int b, int c, int imm) {
        evexReg(MAP_0F3A, PP_66, 0x25, dst, b, c, false);
        code.write(imm);
        return this;
    }

    /** mov reg32_dst, dword [base + disp] (zero-extended to 64 bits). */
    X86Asm loadInt(int dst, int base, int disp) {
        if ((base & 7) == 4) {
            throw new IllegalArgumentException("base register " + base + ": rsp and r12 need a SIB byte");
        }
        if (dst > 7 || base > 7) {
            code.write(0x40 | (dst >> 3 & 1) << 2 | base >> 3 & 1);
        }
        code.write(0x8B);
        code.write(0x80 | (dst & 7) << 3 | base & 7);
        int32(disp);
        return this;
    }

    /** vpdpbusd zmm_dst, zmm_unsigned, dword [base + disp]{1to16}: dst += Σ of 4 products unsigned byte × signed byte per lane. */
    X86Asm dpbusdBroadcast(int dst, int unsigned, int base, int disp) {
        return evexMem(MAP_0F38, PP_66, 0x50, dst, unsigned, base, disp, true);
    }

    /** vcvtph2ps zmm_dst, [base + disp] (16 halfs). */
    X86Asm cvtPhPs(int dst, int base, int disp) {
        return evexMem(MAP_0F38, PP_66, 0x13, dst, 0, base, disp, false);
    }

    /** vcvtdq2ps zmm_dst, zmm_src (exact for |int| ≤ 2²⁴). */
    X86Asm cvtDqPs(int dst, int src) {
        return evexReg(MAP_0F, PP_NONE, 0x5B, dst, 0, src);
    }

    /** vpmovzxbd zmm_dst, [base + disp]: 16 bytes zero-extended to 16 dwords. */
    X86Asm zeroExtendBytes(int dst, int base, int disp) {
        return evexMem(MAP_0F38, PP_66, 0x31, dst, 0, base, disp, false);
    }

    /** vmulps zmm_dst, zmm_a, [base + disp] (16 floats). */
    X86Asm mulPs(int dst, int a, int base, int disp) {
        return evexMem(MAP_0F, PP_NONE, 0x59, dst, a, base, disp, false);
    }

    /** vfmadd213ps zmm_dst, zmm_a, zmm_b: dst = fma(a, dst, b). */
    X86Asm fmadd213Ps(int dst, int a, int b) {
        return evexReg(MAP_0F38, PP_66, 0xA8, dst, a, b);
    }

    /** vfmadd231ps zmm_dst, zmm_a, dword [base + disp]{1to16}: dst = fma(a, broadcast, dst). */
    X86Asm fmadd231PsBroadcast(int dst, int a, int base, int disp) {
        return evexMem(MAP_0F38, PP_66, 0xB8, dst, a, base, disp, true);
    }

    /** vmulps zmm_dst, zmm_a, dword [base + disp]{1to16}. */
    X86Asm mulPsBroadcast(int dst, int a, int base, int disp) {
        return evexMem(MAP_0F, PP_NONE, 0x59, dst, a, base, disp, true);
    }

    /** vfmadd231ps zmm_dst, zmm_a, zmm_b: dst = fma(a, b, dst). */
    X86Asm fmadd231Ps(int dst, int a, int b) {
        return evexReg(MAP_0F38, PP_66, 0xB8, dst, a, b);
    }

    /** vpxord zmm_dst, zmm_dst, zmm_dst: dst = 0. */
    X86Asm zero(int dst) {
        return evexReg(MAP_0F, PP_66, 0xEF, dst, dst, dst);
    }

    /** prefetcht0 (level 1: into L1) or prefetcht2 (level 2: into L2) byte [base + disp]; never faults. */
    X86Asm prefetch(int level, int base, int disp) {
        if ((base & 7) == 4 || level < 1 || level > 2) {
            throw new IllegalArgumentException("prefetch level " + level + ", base " + base);
        }
        if (base > 7) {
            code.write(0x41);
        }
        code.write(0x0F);
        code.write(0x18);
        code.write(0x80 | (level == 1 ? 1 : 3) << 3 | base & 7);
        int32(disp);
        return this;
    }

    /** add reg_dst, reg_src (64-bit). */
    X86Asm add(int dst, int src) {
        rex(true, src, dst);
        code.write(0x01);
        code.write(0xC0 | (src & 7) << 3 | dst & 7);
        return this;
    }

    /** add reg_dst, imm32 (64-bit, sign-extended). */
    X86Asm addImm(int dst, int imm) {
        rex(true, 0, dst);
        code.write(0x81);
        code.write(0xC0 | dst & 7);
        int32(imm);
        return this;
    }

    /** dec reg (64-bit). */
    X86Asm dec(int reg) {
        rex(true, 0, reg);
        code.write(0xFF);
        code.write(0xC8 | reg & 7);
        return this;
    }

    /** jnz to the instruction at {@code target} (an earlier {@link #position}), with a 32-bit displacement. */
    X86Asm jnz(int target) {
        code.write(0x0F);
        code.write(0x85);
        int32(target - (position() + 4));
        return this;
    }

    /** vzeroupper (no SSE transition penalty in the caller). */
    X86Asm vzeroupper() {
        code.writeBytes(new byte[] {(byte) 0xC5, (byte) 0xF8, 0x77});
        return this;
    }

    X86Asm ret() {
        code.write(0xC3);
        return this;
    }

    /** REX.W prefix for a ModRM with reg and rm (general registers). */
    private void rex(boolean w, int reg, int rm) {
        code.write(0x40 | (w ? 8 : 0) | (reg >> 3 & 1) << 2 | rm >> 3 & 1);
    }

    private void int32(int v) {
        code.write(v);
        code.write(v >> 8);
        code.write(v >> 16);
        code.write(v >> 24);
    }

    /**
     * The EVEX prefix (512-bit, no mask): P0 = R̄ X̄ B̄ R̄' 0 0 m m, P1 = W v̄v̄v̄v̄ 1 p p, P2 = z L'L b V̄' a a a. {@code reg}
     * is ModRM.reg (a zmm), {@code vvvv} the second source (a zmm, 0 if none), {@code x} the X bit (an rm zmm's bit 4)
     * and {@code b} ModRM.rm's bit 3.
     */
    private void evex(int map, int pp, int reg, int vvvv, int x, int b, boolean broadcast, boolean w) {
        code.write(0x62);
        code.write((~reg >> 3 & 1) << 7 | (~x & 1) << 6 | (~b & 1) << 5 | (~reg >> 4 & 1) << 4 | map);
        code.write((w ? 0x80 : 0) | (~vvvv & 15) << 3 | 4 | pp);
        code.write(2 << 5 | (broadcast ? 1 : 0) << 4 | (~vvvv >> 4 & 1) << 3);
    }

    private X86Asm evexReg(int map, int pp, int opcode, int reg, int vvvv, int rm) {
        return evexReg(map, pp, opcode, reg, vvvv, rm, false);
    }

    private X86Asm evexReg(int map, int pp, int opcode, int reg, int vvvv, int rm, boolean w) {
        checkZmm(reg, vvvv, rm);
        evex(map, pp, reg, vvvv, rm >> 4 & 1, rm >> 3 & 1, false, w);
        code.write(opcode);
        code.write(0xC0 | (reg & 7) << 3 | rm & 7);
        return this;
    }

    private X86Asm evexMem(int map, int pp, int opcode, int reg, int vvvv, int base, int disp, boolean broadcast) {
        return evexMem(map, pp, opcode, reg, vvvv, base, disp, broadcast, false);
    }

    private X86Asm evexMem(int map, int pp, int opcode, int reg, int vvvv, int base, int disp, boolean broadcast, boolean w) {
        checkZmm(reg, vvvv, 0);
        if ((base & 7) == 4 || base < 0 || base > 15) {
            throw new IllegalArgumentException("base register " + base + ": rsp, r12 and others needing a SIB byte are not supported");
        }
        evex(map, pp, reg, vvvv, 0, base >> 3 & 1, broadcast, w);
        code.write(opcode);
        code.write(0x80 | (reg & 7) << 3 | base & 7);
        int32(disp);
        return this;
    }

    private static void checkZmm(int... r) {
        for (int z : r) {
            if (z < 0 || z > 31) {
                throw new IllegalArgumentException("zmm" + z + ": expected 0–31");
            }
        }
    }
}
