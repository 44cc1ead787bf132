package io.llmopt.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Experiment for issue #3 (not used by the model): GEMV with the activations quantized to 8 bits per
 * 32-value block (scale amax/127, as llama.cpp's Q8_0 activation path) and integer dot products of the
 * Q8_0/Q4_0 weight blocks, against the float path of the kernels. 512-bit vectors only (the machine's
 * width): a 32-byte block widens to 32 shorts, the exact 16-bit products are summed pairwise into 16 ints,
 * converted to floats and fma'd with d_w·d_x into a float accumulator (the Vector API has no VNNI
 * byte dot-product instruction, so the integer path needs widening steps a C kernel would not).
 * Four rows share each activation block, as in the fused float kernels. Scalar twins define the result
 * (equal up to float summation order).
 */
public final class Int8Gemv {
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LE);

    private Int8Gemv() {
    }

    /** Quantizes x[0 .. n) (n a multiple of 32) to q (int8) with one scale per 32 values: d = amax/127. */
    public static void quantize(float[] x, int n, byte[] q, float[] d) {
        for (int b = 0; b < n / 32; b++) {
            float amax = 0f;
            for (int i = 0; i < 32; i++) {
                amax = Math.max(amax, Math.abs(x[32 * b + i]));
            }
            float s = amax / 127f;
            float inv = s != 0f ? 1f / s : 0f;
            d[b] = s;
            for (int i = 0; i < 32; i++) {
                q[32 * b + i] = (byte) Math.round(x[32 * b + i] * inv);
            }
        }
    }

    private static float f16(MemorySegment w, long o) {
        return Float.float16ToFloat(w.get(HALF, o));
    }

    /** Scalar twin: out[r] = Σ_b d_w·d_x·Σ_i qw·qx for Q8_0 rows (34-byte blocks). */
    public static void q8_0Scalar(MemorySegment w, int rows, int cols, byte[] q, float[] d, float[] out) {
        int nb = cols / 32;
        for (int r = 0; r < rows; r++) {
            float sum = 0f;
            for (int b = 0; b < nb; b++) {
                long o = ((long) r * nb + b) * 34;
                int dot = 0;
                for (int i = 0; i < 32; i++) {
                    dot += w.get(ValueLayout.JAVA_BYTE, o + 2 + i) * q[32 * b + i];
                }
                sum += f16(w, o) * d[b] * dot;
            }
            out[r] = sum;
        }
    }

    /** Scalar twin for Q4_0 rows (18-byte blocks: d, 16 bytes; low nibbles elements 0..15, high 16..31; q − 8). */
    public static void q4_0Scalar(MemorySegment w, int rows, int cols, byte[] q, float[] d, float[] out) {
        int nb = cols / 32;
        for (int r = 0; r < rows; r++) {
            float sum = 0f;
            for (int b = 0; b < nb; b++) {
                long o = ((long) r * nb + b) * 18;
                int dot = 0;
                for (int i = 0; i < 16; i++) {
                    int p = w.get(ValueLayout.JAVA_BYTE, o + 2 + i) & 0xFF;
                    dot += ((p & 0x0F) - 8) * q[32 * b + i] + ((p >>> 4) - 8) * q[32 * b + 16 + i];
                }
                sum += f16(w, o) * d[b] * dot;
            }
            out[r] = sum;
        }
    }

    /** Q8_0 rows × int8 activations, four rows at a time (rows a multiple of 4). */
    public static void q8_0(MemorySegment w, int rows, int cols, byte[] q, float[] d, float[] out) {
        int nb = cols / 32;
        long rowBytes = nb * 34L;
        for (int r = 0; r < rows; r += 4) {
            long o0 = r * rowBytes, o1 = o0 + rowBytes, o2 = o1 + rowBytes, o3 = o2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F512), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < nb; b++) {
                ShortVector xs = (ShortVector) ByteVector.fromArray(B256, q, 32 * b).convertShape(VectorOperators.B2S, S512, 0);
                float db = d[b];
                long bo = 34L * b;
                ShortVector p0 = ((ShortVector) ByteVector.fromMemorySegment(B256, w, o0 + bo + 2, LE).convertShape(VectorOperators.B2S, S512, 0)).mul(xs);
                ShortVector p1 = ((ShortVector) ByteVector.fromMemorySegment(B256, w, o1 + bo + 2, LE).convertShape(VectorOperators.B2S, S512, 0)).mul(xs);
                ShortVector p2 = ((ShortVector) ByteVector.fromMemorySegment(B256, w, o2 + bo + 2, LE).convertShape(VectorOperators.B2S, S512, 0)).mul(xs);
                ShortVector p3 = ((ShortVector) ByteVector.fromMemorySegment(B256, w, o3 + bo + 2, LE).convertShape(VectorOperators.B2S, S512, 0)).mul(xs);
                IntVector i0 = ((IntVector) p0.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) p0.convertShape(VectorOperators.S2I, I512, 1));
                IntVector i1 = ((IntVector) p1.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) p1.convertShape(VectorOperators.S2I, I512, 1));
                IntVector i2 = ((IntVector) p2.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) p2.convertShape(VectorOperators.S2I, I512, 1));
                IntVector i3 = ((IntVector) p3.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) p3.convertShape(VectorOperators.S2I, I512, 1));
                a0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, f16(w, o0 + bo) * db), a0);
                a1 = ((FloatVector) i1.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, f16(w, o1 + bo) * db), a1);
                a2 = ((FloatVector) i2.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, f16(w, o2 + bo) * db), a2);
                a3 = ((FloatVector) i3.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, f16(w, o3 + bo) * db), a3);
            }
            out[r] = a0.reduceLanes(VectorOperators.ADD);
            out[r + 1] = a1.reduceLanes(VectorOperators.ADD);
            out[r + 2] = a2.reduceLanes(VectorOperators.ADD);
            out[r + 3] = a3.reduceLanes(VectorOperators.ADD);
        }
    }

    /**
     * Q4_0 rows × int8 activations, four rows at a time: the 16 packed bytes give 16 low and 16 high
     * nibbles; each half is widened to 16 shorts and multiplied by its 16 activations, the two products
     * (|p| ≤ 8·128 each) summed as shorts, widened to 16 ints.
     */
    public static void q4_0(MemorySegment w, int rows, int cols, byte[] q, float[] d, float[] out) {
        int nb = cols / 32;
        long rowBytes = nb * 18L;
        for (int r = 0; r < rows; r += 4) {
            long o0 = r * rowBytes, o1 = o0 + rowBytes, o2 = o1 + rowBytes, o3 = o2 + rowBytes;
            FloatVector a0 = FloatVector.zero(F512), a1 = a0, a2 = a0, a3 = a0;
            for (int b = 0; b < nb; b++) {
                ShortVector xl = (ShortVector) ByteVector.fromArray(B128, q, 32 * b).convertShape(VectorOperators.B2S, S256, 0);
                ShortVector xh = (ShortVector) ByteVector.fromArray(B128, q, 32 * b + 16).convertShape(VectorOperators.B2S, S256, 0);
                float db = d[b];
                long bo = 18L * b;
                ByteVector r0 = ByteVector.fromMemorySegment(B128, w, o0 + bo + 2, LE);
                ByteVector r1 = ByteVector.fromMemorySegment(B128, w, o1 + bo + 2, LE);
                ByteVector r2 = ByteVector.fromMemorySegment(B128, w, o2 + bo + 2, LE);
                ByteVector r3 = ByteVector.fromMemorySegment(B128, w, o3 + bo + 2, LE);
                ShortVector s0 = ((ShortVector) r0.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2S, S256, 0)).mul(xl)
                        .add(((ShortVector) r0.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2S, S256, 0)).mul(xh));
                ShortVector s1 = ((ShortVector) r1.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2S, S256, 0)).mul(xl)
                        .add(((ShortVector) r1.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2S, S256, 0)).mul(xh));
                ShortVector s2 = ((ShortVector) r2.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2S, S256, 0)).mul(xl)
                        .add(((ShortVector) r2.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2S, S256, 0)).mul(xh));
                ShortVector s3 = ((ShortVector) r3.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2S, S256, 0)).mul(xl)
                        .add(((ShortVector) r3.reinterpretAsShorts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2S, S256, 0)).mul(xh));
                a0 = ((FloatVector) ((IntVector) s0.convertShape(VectorOperators.S2I, I512, 0)).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, f16(w, o0 + bo) * db), a0);
                a1 = ((FloatVector) ((IntVector) s1.convertShape(VectorOperators.S2I, I512, 0)).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, f16(w, o1 + bo) * db), a1);
                a2 = ((FloatVector) ((IntVector) s2.convertShape(VectorOperators.S2I, I512, 0)).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, f16(w, o2 + bo) * db), a2);
                a3 = ((FloatVector) ((IntVector) s3.convertShape(VectorOperators.S2I, I512, 0)).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, f16(w, o3 + bo) * db), a3);
            }
            out[r] = a0.reduceLanes(VectorOperators.ADD);
            out[r + 1] = a1.reduceLanes(VectorOperators.ADD);
            out[r + 2] = a2.reduceLanes(VectorOperators.ADD);
            out[r + 3] = a3.reduceLanes(VectorOperators.ADD);
        }
    }
}
