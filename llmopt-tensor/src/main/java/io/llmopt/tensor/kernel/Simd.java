package io.llmopt.tensor.kernel;

import io.llmopt.tensor.Layouts;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every kernel of this package uses, all {@code static final} constants derived from
 * {@link VectorKernels#SPECIES} (the Vector API only compiles to SIMD instructions when the species is a
 * constant), and the conversions shared by the weight decoders.
 *
 * <p>Notation: L = float lanes per vector (4, 8 or 16 for 128, 256 or 512 bits). Packed quants are always
 * read 16 bytes at a time ({@link #B16}); such a byte vector widens to {@link #PARTS} = 16 / L float vectors,
 * part p holding bytes [p·L, (p+1)·L).
 *
 * <p><b>Loop-carried vectors.</b> C2 does not know the class of a vector carried around a loop (an accumulator)
 * or passed as a parameter while it parses, so it inlines an operation on it only through a type profile. The
 * convenience methods ({@code a.add(b)}, {@code a.fma(b, c)}, {@code a.max(b)}, {@code a.intoArray(…)}) are final
 * methods of the abstract class that make that call inside the JDK, where the profile is shared by every caller
 * in the process, and may be empty or hold several shapes: then the operation stays a call, runs the Java
 * fallback and boxes its operands, 10–40× slower (measured: the Q4_0 GEMV at 0.9 GB/s instead of 31 when the
 * Q8_0 one had run first, about every second JVM). So kernels write an accumulation on a loop-carried vector as
 * {@code a = b.lanewise(VectorOperators.ADD, a)}, with the loop-carried vector as the argument and a freshly computed
 * one as the receiver (the virtual call, and its profile, are then the kernel's own; and the receiver is not a loop
 * phi, see below), store loop results through an exact receiver, {@code Simd.ZERO.add(t).intoArray(…)} (a constant, of
 * exact class; t never holds −0, as every accumulator starts at +0), and reduce short fixed loops to straight-line
 * trees. Check a run with the bench module's JitHazards.
 *
 * <p><b>Why the loop-carried vector is the argument.</b> A large kernel passes C2's inlining node cutoff while it is
 * parsed, after which every vector call is inlined late, behind a class check on its receiver. Once a compile has spent
 * its class-check traps (they are summed over every inlined copy of the JDK's shared vector methods, which the Java
 * fallbacks trap in while the kernels still run interpreted), the check's miss path is a virtual call instead of a
 * trap. On a receiver computed in the iteration the check folds away once the receiver's producer is inlined. On a
 * loop-carried receiver it cannot: the loop phi merges the virtual call's result from the previous iteration, so the
 * receiver never gets an exact class, the call and the boxing stay in the loop (session 17: 13–39 instead of 40–47
 * steps/s in about one JVM in eight). As an argument the vector is only checked by class comparison inside the JDK.
 * Addition, max and min are commutative in every lane, so the swap changes no result. The K-quant panel kernels
 * ({@link PanelKQuants}) also call {@code lanewise} directly instead of the wrappers ({@code mul}, {@code add},
 * {@code fma}, {@code and}, {@code or}, {@code bitwiseBlend}), each of which is one more late inline with its own
 * guarded call inside the JDK. Forced with {@code -XX:TypeProfileLevel=0 -XX:PerMethodTrapLimit=5} (no class-check
 * trap left in any compile), the paged Q4_0 decode ran 4.8–5.9 steps/s with the accumulators as receivers and 43 after
 * the swap; Q4_K_M 6.9 after the swap and 41 with direct calls as well. Direct calls in {@link PanelGemv} too cost 3–5 %
 * of normal paged Q4_0 decode and were not kept there (BENCHMARKS, session 18).
 */
final class Simd {
    static final VectorSpecies<Float> F = VectorKernels.SPECIES;
    static final int L = F.length();
    /** The zero vector of {@link #F} as a constant: C2 knows its exact class while parsing (see the class comment). */
    static final FloatVector ZERO = FloatVector.zero(F);
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    /** L shorts: one float vector's worth of F16/BF16 values. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(L * 16));
    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final int PARTS = 16 / L;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Simd() {
    }

    /** Part p (0 ≤ p < PARTS) of 16 signed bytes, widened exactly to L floats. */
    static FloatVector toFloats(ByteVector b, int part) {
        return (FloatVector) b.convertShape(VectorOperators.B2F, F, part);
    }

    /** 16 bytes at {@code offset}. */
    static ByteVector bytes(MemorySegment s, long offset) {
        return ByteVector.fromMemorySegment(B16, s, offset, LE);
    }

    /** Lane permutations i → i xor k, for the fixed-order reduction {@link #sum}. */
    static final VectorShuffle<Float> SWAP1 = VectorShuffle.fromOp(F, i -> i ^ 1);
    static final VectorShuffle<Float> SWAP2 = VectorShuffle.fromOp(F, i -> i ^ 2);
    static final VectorShuffle<Float> SWAP4 = VectorShuffle.fromOp(F, i -> i ^ (L >= 8 ? 4 : 0));
    static final VectorShuffle<Float> SWAP8 = VectorShuffle.fromOp(F, i -> i ^ (L >= 16 ? 8 : 0));

    /**
     * Σ of the L floats at a[p ..] as a fixed butterfly of lanewise adds (lane i + lane i xor L/2, then xor L/4, …).
     * Unlike {@code reduceLanes(ADD)}, whose order differs between the interpreter, C1 and C2, every step is
     * an exactly specified lanewise operation, so the result has the same bits in every JIT tier (batch
     * invariance depends on it).
     */
    static float sum(float[] a, int p) {
        FloatVector v = FloatVector.fromArray(F, a, p);
        if (L >= 16) {
            v = v.lanewise(VectorOperators.ADD, v.rearrange(SWAP8));
        }
        if (L >= 8) {
            v = v.lanewise(VectorOperators.ADD, v.rearrange(SWAP4));
        }
        v = v.lanewise(VectorOperators.ADD, v.rearrange(SWAP2));
        v = v.lanewise(VectorOperators.ADD, v.rearrange(SWAP1));
        return v.lane(0);
    }

    /**
     * The bytes of q shifted right by {@code s} as 16-bit lanes: x86 has no byte shift, and a byte-lane
     * shift compiles to widen, shift and narrow. Each byte receives s bits of its neighbour at the top, so
     * the caller masks with at most 8 − s low bits.
     */
    static ByteVector shr(ByteVector q, int s) {
        return q.reinterpretAsShorts().lanewise(VectorOperators.LSHR, s).reinterpretAsBytes();
    }

    /** The bytes of q shifted left by {@code s} as 16-bit lanes: exact when every byte is below 2^(8 − s). */
    static ByteVector shl(ByteVector q, int s) {
        return q.reinterpretAsShorts().lanewise(VectorOperators.LSHL, s).reinterpretAsBytes();
    }

    /** Scalar IEEE binary16 at {@code offset}, widened exactly. */
    static float f16(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(Layouts.SHORT, offset));
    }

    static int u8(MemorySegment s, long offset) {
        return s.get(Layouts.BYTE, offset) & 0xFF;
    }

    /** L bfloat16 values at {@code offset}, widened exactly (bf16 is the top half of a binary32). */
    static FloatVector bf16s(MemorySegment s, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, s, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /**
     * L IEEE binary16 values at {@code offset}, widened exactly (the Vector API has no half-precision
     * conversion, so this is done on the bits). Normal numbers re-bias the exponent by an integer add;
     * subnormals and zero are converted as mantissa·2⁻²⁴ (exact, and never a float subnormal, which can be
     * slow); infinities and NaNs keep an all-ones exponent.
     */
    static FloatVector f16s(MemorySegment s, long offset) {
        IntVector h = (IntVector) ShortVector.fromMemorySegment(S, s, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        IntVector em = h.and(0x7FFF);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        IntVector normal = shifted.add(0x38000000); // (127 − 15) << 23
        IntVector special = shifted.or(0x7F800000);
        IntVector sub = ((FloatVector) em.convert(VectorOperators.I2F, 0)).mul(0x1p-24f).reinterpretAsInts();
        IntVector r = normal.blend(special, em.compare(VectorOperators.GE, 0x7C00)).blend(sub, em.compare(VectorOperators.LT, 0x400));
        return r.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }
}
